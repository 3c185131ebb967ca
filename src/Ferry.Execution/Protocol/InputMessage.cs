using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ferry.Execution.Protocol;

/// <summary>An input of <see cref="ExecuteMessage"/>; a declared ML Server <paramref name="Type"/> converts it.</summary>
internal sealed record InputMessage(string Name, JsonNode? Value, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type);
