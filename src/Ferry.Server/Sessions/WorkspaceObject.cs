using System.Text.Json.Nodes;

namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>WorkspaceObject</c>: a name and a plain JSON value.</summary>
public sealed record WorkspaceObject(string? Name, JsonNode? Value);
