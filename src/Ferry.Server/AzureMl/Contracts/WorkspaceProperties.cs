namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A workspace's <c>properties</c>; the Azure resources Ferry has no counterpart for are null.</summary>
public sealed record WorkspaceProperties(
    string FriendlyName,
    string Description,
    DateTimeOffset CreationTime,
    string? StorageAccount,
    string? ContainerRegistry,
    string? KeyVault,
    string? ApplicationInsights,
    bool HbiWorkspace,
    string WorkspaceId,
    string DiscoveryUrl,
    ProvisioningState ProvisioningState);
