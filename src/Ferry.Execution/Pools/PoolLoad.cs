namespace Ferry.Execution.Pools;

/// <summary>A pool at one moment: its workers by state (their sum is its size) and the calls waiting for one.</summary>
internal readonly record struct PoolLoad(int Starting, int Idle, int Busy, int Queued);
