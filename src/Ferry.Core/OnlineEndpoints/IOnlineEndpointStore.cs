namespace Ferry.Core.OnlineEndpoints;

public interface IOnlineEndpointStore
{
    Task<OnlineEndpoint?> FindAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<OnlineEndpoint>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    Task UpsertAsync(OnlineEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Sets the provisioning state alone (keys or traffic written meanwhile stay); false when the endpoint is gone.</summary>
    Task<bool> SetStateAsync(string resourceGroup, string workspace, string name, string state, CancellationToken cancellationToken);

    /// <summary>Sets a deployment's provisioning state alone; false when the deployment is gone (it is not brought back).</summary>
    Task<bool> SetDeploymentStateAsync(string resourceGroup, string workspace, string endpoint, string name, string state, CancellationToken cancellationToken);

    /// <summary>Deletes the endpoint and its deployments, releasing their content.</summary>
    Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken);

    Task<OnlineDeployment?> FindDeploymentAsync(string resourceGroup, string workspace, string endpoint, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<OnlineDeployment>> ListDeploymentsAsync(string resourceGroup, string workspace, string endpoint, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a deployment, moving its content reference when it changed.</summary>
    Task UpsertDeploymentAsync(OnlineDeployment deployment, CancellationToken cancellationToken);

    Task<bool> DeleteDeploymentAsync(string resourceGroup, string workspace, string endpoint, string name, CancellationToken cancellationToken);
}
