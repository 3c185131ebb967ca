namespace Ferry.Core.Arm;

public interface IResourceGroupStore
{
    Task<ResourceGroup?> FindAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceGroup>> ListAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when it was created.</summary>
    Task<bool> UpsertAsync(ResourceGroup group, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
