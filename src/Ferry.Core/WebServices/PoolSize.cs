namespace Ferry.Core.WebServices;

/// <summary>A dedicated pool's size as set through the 9.3 pool API.</summary>
public sealed record PoolSize(int Initial, int Max);
