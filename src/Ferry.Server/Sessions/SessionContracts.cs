using Ferry.Core.Execution;
using System.Text.Json.Nodes;

namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>CreateSessionRequest</c>; runtimeType defaults to R as in ML Server.</summary>
public sealed record CreateSessionRequest(string? Name, string? SnapshotId, RuntimeType? RuntimeType);

/// <summary>The contract's <c>CreateSessionResponse</c>.</summary>
public sealed record CreateSessionResponse(string SessionId);

/// <summary>The contract's <c>Session</c>.</summary>
public sealed record SessionResponse(string Id, string Name, string Owner, RuntimeType RuntimeType);

/// <summary>The contract's <c>WorkspaceObject</c>: a name and a plain JSON value.</summary>
public sealed record WorkspaceObject(string? Name, JsonNode? Value);

/// <summary>The contract's <c>ExecuteRequest</c>.</summary>
public sealed record ExecuteRequest(string? Code, IReadOnlyList<WorkspaceObject>? InputParameters, IReadOnlyList<string>? OutputParameters);

/// <summary>The contract's <c>ExecuteResponse</c>: outputs as an array of name and value.</summary>
public sealed record ExecuteResponse(
    bool Success, string ErrorMessage, IReadOnlyList<WorkspaceObject> OutputParameters, string ConsoleOutput, IReadOnlyList<string> ChangedFiles);

/// <summary>The body of <c>getSessionConsoleOutput</c>.</summary>
public sealed record ConsoleOutputResponse(string ConsoleOutput);

/// <summary>A JSON message where the contract returns a bare string: clients call <c>.json()</c> on it.</summary>
public sealed record MessageResponse(string Message);
