namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A code version in the mfe shape.</summary>
public sealed record CodeVersionResponse(string Id, string Name, string Type, CodeVersionResponseProperties Properties, SystemData SystemData);
