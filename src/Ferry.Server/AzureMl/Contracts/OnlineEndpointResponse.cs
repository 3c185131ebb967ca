namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An online endpoint in the mfe shape.</summary>
public sealed record OnlineEndpointResponse(string Id, string Name, string Type, string Location, OnlineEndpointProperties Properties);
