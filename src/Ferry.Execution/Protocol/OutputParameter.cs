using System.Text.Json.Nodes;

namespace Ferry.Execution.Protocol;

/// <summary>An output in an <c>execute</c> reply.</summary>
internal sealed record OutputParameter(string Name, JsonNode? Value);
