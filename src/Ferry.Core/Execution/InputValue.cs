using System.Text.Json.Nodes;

namespace Ferry.Core.Execution;

/// <summary>An input: a JSON value, converted to the ML Server type when one is declared.</summary>
public sealed record InputValue(string Name, JsonNode? Value, string? Type = null);
