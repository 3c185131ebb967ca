namespace Ferry.Core.Execution;

/// <summary>
/// How a realtime service coalesces concurrent calls into one model run: at most <paramref name="MaxBatchSize"/>
/// calls, and a call waits at most <paramref name="MaxWait"/> for others to join (zero: only calls already waiting join).
/// </summary>
public sealed record RealtimeBatching(int MaxBatchSize, TimeSpan MaxWait);
