namespace Ferry.Core.Diagnostics;

/// <summary>One interval of a service version's calls: how many, how they ended, and their latency.</summary>
/// <param name="Start">When the interval began (UTC).</param>
/// <param name="Calls">Every call, whatever its outcome.</param>
/// <param name="Failures">Calls answered <c>success:false</c>.</param>
/// <param name="Errors">Calls answered with an HTTP error.</param>
/// <param name="P50Ms">The median latency of every call, in milliseconds.</param>
/// <param name="P99Ms">The 99th percentile latency of every call, in milliseconds.</param>
public sealed record ServiceCallPoint(DateTimeOffset Start, int Calls, int Failures, int Errors, double P50Ms, double P99Ms);
