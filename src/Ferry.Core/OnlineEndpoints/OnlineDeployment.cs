namespace Ferry.Core.OnlineEndpoints;

/// <summary>
/// A deployment behind an endpoint: a registered model, a code version's scoring script, warm workers;
/// or with no code (<see cref="IsNative"/>), an ONNX model scored in-process.
/// </summary>
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
    DateTimeOffset CreatedAt)
{
    /// <summary>No codeConfiguration: Azure ML's no-code deployment, its ONNX model scored natively.</summary>
    public bool IsNative => CodeId.Length == 0;
}
