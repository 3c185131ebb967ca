namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A subscription in ARM's shape.</summary>
public sealed record SubscriptionResponse(string Id, string SubscriptionId, string TenantId, string DisplayName, SubscriptionState State);
