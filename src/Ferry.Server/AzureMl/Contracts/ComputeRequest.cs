using System.Text.Json.Nodes;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of a compute PUT: ARM's two levels of <c>properties</c>.</summary>
public sealed record ComputeRequest(string? Location, JsonObject? Properties);
