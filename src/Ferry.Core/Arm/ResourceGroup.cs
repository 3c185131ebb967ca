namespace Ferry.Core.Arm;

/// <summary>An ARM resource group. Its name is unique on the server; it lives in one subscription.</summary>
public sealed record ResourceGroup(string SubscriptionId, string Name, string Location, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedAt);
