namespace Ferry.Core.Access;

/// <summary>An ARM subscription of this server; resource groups live in exactly one.</summary>
public sealed record Subscription(string SubscriptionId, string DisplayName, DateTimeOffset CreatedAt);
