namespace Ferry.Core.OnlineEndpoints;

/// <summary>An online endpoint: a scoring URL with two keys, its traffic split across deployments by percentage.</summary>
public sealed record OnlineEndpoint(
    string ResourceGroup,
    string Workspace,
    string Name,
    string Location,
    string? Description,
    string AuthMode,
    string PrimaryKey,
    string SecondaryKey,
    IReadOnlyDictionary<string, int> Traffic,
    string ProvisioningState,
    DateTimeOffset CreatedAt);

/// <summary>A deployment behind an endpoint: a registered model, a code version's scoring script, warm workers.</summary>
public sealed record OnlineDeployment(
    string ResourceGroup,
    string Workspace,
    string Endpoint,
    string Name,
    string ModelId,
    string CodeId,
    string ScoringScript,
    int InstanceCount,
    string? ContentHash,
    string ProvisioningState,
    DateTimeOffset CreatedAt);

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
