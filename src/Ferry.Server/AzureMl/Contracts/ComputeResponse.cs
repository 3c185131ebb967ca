namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A compute in ARM's shape.</summary>
public sealed record ComputeResponse(string Id, string Name, string Type, string Location, ComputeProperties Properties);
