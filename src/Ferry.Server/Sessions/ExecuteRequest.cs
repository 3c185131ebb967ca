namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>ExecuteRequest</c>.</summary>
public sealed record ExecuteRequest(string? Code, IReadOnlyList<WorkspaceObject>? InputParameters, IReadOnlyList<string>? OutputParameters);
