namespace Ferry.Core.Arm;

/// <summary>An ARM resource group. Its name is unique on the server; it lives in one subscription.</summary>
public sealed record ResourceGroup(string SubscriptionId, string Name, string Location, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedAt);

public interface IResourceGroupStore
{
    Task<ResourceGroup?> FindAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceGroup>> ListAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when it was created.</summary>
    Task<bool> UpsertAsync(ResourceGroup group, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
