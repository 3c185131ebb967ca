namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>CreateSessionResponse</c>.</summary>
public sealed record CreateSessionResponse(string SessionId);
