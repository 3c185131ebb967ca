using Ferry.Core.Execution;

namespace Ferry.Server.Sessions;

/// <summary>The contract's <c>CreateSessionRequest</c>; runtimeType defaults to R as in ML Server.</summary>
public sealed record CreateSessionRequest(string? Name, string? SnapshotId, RuntimeType? RuntimeType);
