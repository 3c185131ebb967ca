namespace Ferry.Core.Execution;

/// <summary>A dedicated pool's size, as set through the 9.3 pool API or an online deployment's instance count.</summary>
public sealed record PoolSize(int Initial, int Max);
