namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of an online endpoint PUT or PATCH.</summary>
public sealed record OnlineEndpointRequest(string? Location, OnlineEndpointRequestProperties? Properties);
