namespace Ferry.Core.Arm;

/// <summary>An ARM resource group of this server's one subscription.</summary>
public sealed record ResourceGroup(string Name, string Location, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedAt);

public interface IResourceGroupStore
{
    Task<ResourceGroup?> FindAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceGroup>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when it was created.</summary>
    Task<bool> UpsertAsync(ResourceGroup group, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
