namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A resource group in ARM's shape.</summary>
public sealed record ResourceGroupResponse(string Id, string Name, string Type, string Location, IReadOnlyDictionary<string, string> Tags, ProvisioningProperties Properties);
