namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An online endpoint's <c>properties</c>; the keys are only ever given by <c>listKeys</c>.</summary>
public sealed record OnlineEndpointProperties(
    string AuthMode,
    string? Description,
    string? Keys,
    ProvisioningState ProvisioningState,
    string ScoringUri,
    string? SwaggerUri,
    IReadOnlyDictionary<string, int> Traffic);
