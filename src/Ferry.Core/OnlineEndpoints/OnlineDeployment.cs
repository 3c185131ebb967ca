namespace Ferry.Core.OnlineEndpoints;

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
