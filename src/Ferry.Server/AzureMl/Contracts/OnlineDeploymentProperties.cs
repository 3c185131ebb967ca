namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An online deployment's <c>properties</c>.</summary>
public sealed record OnlineDeploymentProperties(
    string EndpointComputeType,
    ModelReference Model,
    CodeConfiguration CodeConfiguration,
    ScaleSettings ScaleSettings,
    ProvisioningState ProvisioningState);
