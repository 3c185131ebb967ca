namespace Ferry.Server.WebServices;

/// <summary>The contract's <c>ServicePoolStatusResponse</c>, camel-cased as a real server sent it.</summary>
public sealed record ServicePoolStatusResponse(string ComputeNodeEndpoint, string Status);
