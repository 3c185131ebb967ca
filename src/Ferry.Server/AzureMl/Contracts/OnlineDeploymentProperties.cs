namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An online deployment's <c>properties</c>; no <c>codeConfiguration</c> for a no-code (native ONNX) deployment.</summary>
public sealed record OnlineDeploymentProperties(
    string EndpointComputeType,
    ModelReference Model,
    CodeConfiguration? CodeConfiguration,
    ScaleSettings ScaleSettings,
    ProvisioningState ProvisioningState);
