namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A workspace in ARM's shape.</summary>
public sealed record WorkspaceResponse(
    string Id,
    string Name,
    string Type,
    string Location,
    IReadOnlyDictionary<string, string> Tags,
    WorkspaceSkuResponse Sku,
    WorkspaceIdentity Identity,
    WorkspaceProperties Properties);
