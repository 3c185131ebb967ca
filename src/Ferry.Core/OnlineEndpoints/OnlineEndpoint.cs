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
