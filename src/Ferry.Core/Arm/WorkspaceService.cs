using System.Text.RegularExpressions;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Arm;

/// <summary>
/// Workspaces with ARM's long-running pattern: a new one starts <c>Creating</c>, its provisioning
/// (its directory in the data directory) runs in the background as an operation clients poll, and
/// it ends <c>Succeeded</c> or <c>Failed</c>.
/// </summary>
public sealed partial class WorkspaceService(
    IWorkspaceStore store,
    IResourceGroupStore groups,
    ArmOperationService operations,
    IOptions<WorkspaceOptions> options,
    TimeProvider time)
{
    /// <summary>Creates (with an operation to poll) or updates a workspace.</summary>
    public async Task<(Workspace Workspace, ArmOperation? Operation)> PutAsync(string resourceGroup, string name, WorkspaceChange change, CancellationToken cancellationToken)
    {
        if (!ValidName().IsMatch(name))
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"Workspace name '{name}' is invalid: use 3 to 33 letters, digits, '-' or '_', starting with a letter or digit.", code: "InvalidResourceName");
        }

        var group = await groups.FindAsync(resourceGroup, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Resource group '{resourceGroup}' could not be found.", code: "ResourceGroupNotFound");
        var existing = await store.FindAsync(group.Name, name, cancellationToken);
        if (existing is not null)
        {
            var updated = Apply(existing, change);
            await store.UpsertAsync(updated, cancellationToken);
            return (updated, null);
        }

        if (string.IsNullOrWhiteSpace(change.Location))
        {
            throw new FerryException(FerryErrorKind.BadRequest, "The workspace needs a 'location'.", code: "LocationRequired");
        }

        ArmLocation.Check(change.Location);

        var workspace = Apply(
            new Workspace(group.Name, name, change.Location, Guid.NewGuid().ToString("D"), "", "", "Basic", new Dictionary<string, string>(), time.GetUtcNow(), "Creating"),
            change);
        await store.UpsertAsync(workspace, cancellationToken);
        var operation = await operations.StartAsync(
            $"{group.Name}/{name}",
            async () =>
            {
                Directory.CreateDirectory(Path.Combine(Path.GetFullPath(options.Value.Directory), workspace.WorkspaceId));
                await store.UpsertAsync(workspace with { ProvisioningState = "Succeeded" }, CancellationToken.None);
            },
            () => store.UpsertAsync(workspace with { ProvisioningState = "Failed" }, CancellationToken.None),
            cancellationToken);
        return (workspace, operation);
    }

    public async Task<Workspace> GetAsync(string resourceGroup, string name, CancellationToken cancellationToken) =>
        await store.FindAsync(resourceGroup, name, cancellationToken) ?? throw NotFound(resourceGroup, name);

    public Task<Workspace?> FindAsync(string resourceGroup, string name, CancellationToken cancellationToken) => store.FindAsync(resourceGroup, name, cancellationToken);

    public Task<IReadOnlyList<Workspace>> ListAsync(string resourceGroup, CancellationToken cancellationToken) => store.ListAsync(resourceGroup, cancellationToken);

    /// <summary>The workspaces of every resource group of the subscription.</summary>
    public async Task<IReadOnlyList<Workspace>> ListInSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var names = (await groups.ListAsync(subscriptionId, cancellationToken)).Select(g => g.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. (await store.ListAsync(null, cancellationToken)).Where(w => names.Contains(w.ResourceGroup))];
    }

    public async Task<Workspace> PatchAsync(string resourceGroup, string name, WorkspaceChange change, CancellationToken cancellationToken)
    {
        var workspace = Apply(await GetAsync(resourceGroup, name, cancellationToken), change with { Location = null });
        await store.UpsertAsync(workspace, cancellationToken);
        return workspace;
    }

    /// <summary>
    /// Deletes the workspace's row (the rows named under it go with it) and its files; false when there was none.
    /// <see cref="WorkspaceRemoval"/> stops what runs in it first.
    /// </summary>
    internal async Task<bool> DeleteAsync(string resourceGroup, string name, CancellationToken cancellationToken)
    {
        var workspace = await store.FindAsync(resourceGroup, name, cancellationToken);
        if (workspace is null || !await store.DeleteAsync(resourceGroup, name, cancellationToken))
        {
            return false;
        }

        var directory = Path.Combine(Path.GetFullPath(options.Value.Directory), workspace.WorkspaceId);
        // What cannot go (a canceled run still writing there, a folder it made unreadable) stays: the directory is named by the
        // workspace's own id, so no later workspace sees it.
        _ = ConfinedFiles.TryDeleteTree(directory);

        return true;
    }

    private static Workspace Apply(Workspace workspace, WorkspaceChange change) => workspace with
    {
        FriendlyName = change.FriendlyName ?? workspace.FriendlyName,
        Description = change.Description ?? workspace.Description,
        Sku = change.Sku ?? workspace.Sku,
        Tags = change.Tags ?? workspace.Tags,
    };

    private static FerryException NotFound(string resourceGroup, string name) => new(
        FerryErrorKind.NotFound,
        $"The Resource 'Microsoft.MachineLearningServices/workspaces/{name}' under resource group '{resourceGroup}' was not found.",
        code: "ResourceNotFound");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{2,32}\\z")]
    private static partial Regex ValidName();
}
