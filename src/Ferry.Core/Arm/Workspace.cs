namespace Ferry.Core.Arm;

/// <summary>An Azure-ML workspace: a named place for experiments, models and endpoints in a resource group.</summary>
public sealed record Workspace(
    string ResourceGroup,
    string Name,
    string Location,
    string WorkspaceId,
    string FriendlyName,
    string Description,
    string Sku,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreatedAt,
    string ProvisioningState);
