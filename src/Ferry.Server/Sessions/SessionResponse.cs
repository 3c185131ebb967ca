using Ferry.Core.Execution;

namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>Session</c>.</summary>
public sealed record SessionResponse(string Id, string Name, string Owner, RuntimeType RuntimeType);
