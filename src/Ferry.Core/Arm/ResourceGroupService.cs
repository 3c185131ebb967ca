using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Arm;

/// <summary>
/// Resource groups with ARM's rules: names of up to 90 letters, digits, '.', '_', '-', '(' and ')', not
/// ending in '.'. Letters and digits are ASCII here: a name travels in ARM ids, URLs and Location headers.
/// A name is unique on the server (its data-plane paths and files are keyed by it), so a group of
/// another subscription reads as absent, and creating one with its name is a 409.
/// </summary>
public sealed partial class ResourceGroupService(IResourceGroupStore store, TimeProvider time)
{
    public async Task<(ResourceGroup Group, bool Created)> PutAsync(string subscriptionId, string name, string? location, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        if (!ValidName().IsMatch(name) || name.EndsWith('.'))
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"Resource group name '{name}' is invalid: use 1 to 90 ASCII letters, digits, '.', '_', '-', '(' or ')', not ending in '.'.", code: "InvalidResourceGroup");
        }

        if (string.IsNullOrWhiteSpace(location))
        {
            throw new FerryException(FerryErrorKind.BadRequest, "The resource group needs a 'location'.", code: "LocationRequired");
        }

        ArmLocation.Check(location);

        var existing = await store.FindAsync(name, cancellationToken);
        if (existing is not null && !string.Equals(existing.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase))
        {
            throw new FerryException(
                FerryErrorKind.Conflict,
                $"The resource group name '{name}' is already in use on this server; choose another name.",
                code: "ResourceGroupNameNotAvailable");
        }

        if (existing is not null && !string.Equals(existing.Location, location, StringComparison.OrdinalIgnoreCase))
        {
            throw new FerryException(
                FerryErrorKind.Conflict,
                $"Invalid resource group location '{location}'. The Resource group already exists in location '{existing.Location}'.",
                code: "InvalidResourceGroupLocation");
        }

        var group = new ResourceGroup(subscriptionId, existing?.Name ?? name, location, tags ?? existing?.Tags ?? new Dictionary<string, string>(), existing?.CreatedAt ?? time.GetUtcNow());
        var created = await store.UpsertAsync(group, cancellationToken);
        return (group, created);
    }

    public async Task<ResourceGroup> GetAsync(string subscriptionId, string name, CancellationToken cancellationToken) =>
        await FindAsync(subscriptionId, name, cancellationToken) ?? throw NotFound(name);

    /// <summary>The group when it exists in this subscription.</summary>
    public async Task<ResourceGroup?> FindAsync(string subscriptionId, string name, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken) is { } group && string.Equals(group.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase) ? group : null;

    public Task<IReadOnlyList<ResourceGroup>> ListAsync(string subscriptionId, CancellationToken cancellationToken) => store.ListAsync(subscriptionId, cancellationToken);

    /// <summary>Deletes the group's row (its workspaces' rows go with it); <see cref="WorkspaceRemoval"/> deletes the workspaces first.</summary>
    internal async Task DeleteAsync(string subscriptionId, string name, CancellationToken cancellationToken)
    {
        if (await FindAsync(subscriptionId, name, cancellationToken) is null || !await store.DeleteAsync(name, cancellationToken))
        {
            throw NotFound(name);
        }
    }

    private static FerryException NotFound(string name) =>
        new(FerryErrorKind.NotFound, $"Resource group '{name}' could not be found.", code: "ResourceGroupNotFound");

    [GeneratedRegex(@"^[-A-Za-z0-9._()]{1,90}\z")]
    private static partial Regex ValidName();
}
