namespace Ferry.Server.AzureMl;

/// <summary>A subscription in ARM's shape.</summary>
public sealed record SubscriptionResponse(string Id, string SubscriptionId, string TenantId, string DisplayName, string State);
