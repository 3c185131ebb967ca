namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of a resource group PUT.</summary>
public sealed record ResourceGroupRequest(string? Location, Dictionary<string, string>? Tags);
