namespace Ferry.Core.Arm;

public interface IComputeStore
{
    Task<Compute?> FindAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Compute>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    Task UpsertAsync(Compute compute, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken);
}
