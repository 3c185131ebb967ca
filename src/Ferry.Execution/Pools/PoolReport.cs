namespace Ferry.Execution.Pools;

/// <summary>One version's single-call pool at one moment: its revision, 9.3 status, and workers idle and busy, and calls waiting.</summary>
public sealed record PoolReport(string Name, string Version, long Revision, string Status, int Idle, int Busy, int Queued);
