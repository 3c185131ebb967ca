namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>ExecuteResponse</c>: outputs as an array of name and value.</summary>
public sealed record ExecuteResponse(
    bool Success, string ErrorMessage, IReadOnlyList<WorkspaceObject> OutputParameters, string ConsoleOutput, IReadOnlyList<string> ChangedFiles);
