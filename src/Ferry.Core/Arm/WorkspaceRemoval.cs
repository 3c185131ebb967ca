using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Runs;

namespace Ferry.Core.Arm;

/// <summary>
/// Deletes a workspace, or a resource group with its workspaces, and everything under them, as Azure does:
/// its runs are stopped, its online endpoints stop scoring and give up their pools, and the rows named under
/// it (experiments, runs, models, code versions, endpoints, deployments) go with the workspace's row
/// (a database trigger, so nothing is left for a workspace later created under the same names to inherit).
/// </summary>
public sealed class WorkspaceRemoval(WorkspaceService workspaces, ResourceGroupService groups, RunService runs, OnlineEndpointService endpoints)
{
    /// <summary>False when there was no such workspace (ARM answers 204).</summary>
    public async Task<bool> DeleteWorkspaceAsync(string resourceGroup, string name, CancellationToken cancellationToken)
    {
        if (await workspaces.FindAsync(resourceGroup, name, cancellationToken) is not { } workspace)
        {
            return false;
        }

        return await RemoveAsync(workspace, cancellationToken);
    }

    public async Task DeleteResourceGroupAsync(string subscriptionId, string name, CancellationToken cancellationToken)
    {
        var group = await groups.GetAsync(subscriptionId, name, cancellationToken);
        foreach (var workspace in await workspaces.ListAsync(group.Name, cancellationToken))
        {
            await RemoveAsync(workspace, cancellationToken);
        }

        await groups.DeleteAsync(subscriptionId, group.Name, cancellationToken);
    }

    /// <summary>Stops what runs in the workspace, deletes it, and forgets what was made in it meanwhile.</summary>
    private async Task<bool> RemoveAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        await runs.CancelAllAsync(workspace.ResourceGroup, workspace.Name, cancellationToken);
        foreach (var endpoint in await endpoints.ListEndpointsAsync(workspace.ResourceGroup, workspace.Name, cancellationToken))
        {
            await endpoints.DeleteEndpointAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, cancellationToken);
        }

        var deleted = await workspaces.DeleteAsync(workspace.ResourceGroup, workspace.Name, cancellationToken);
        await endpoints.ForgetWorkspaceAsync(workspace.ResourceGroup, workspace.Name, CancellationToken.None);
        return deleted;
    }
}
