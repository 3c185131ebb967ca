namespace Ferry.Core.Arm;

public interface IWorkspaceStore
{
    Task<Workspace?> FindAsync(string resourceGroup, string name, CancellationToken cancellationToken);

    /// <summary>In one resource group, or in all when <paramref name="resourceGroup"/> is null.</summary>
    Task<IReadOnlyList<Workspace>> ListAsync(string? resourceGroup, CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when created.</summary>
    Task<bool> UpsertAsync(Workspace workspace, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string resourceGroup, string name, CancellationToken cancellationToken);
}
