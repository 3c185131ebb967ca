namespace Ferry.Core.Execution;

/// <summary>
/// Where a service call spent its time, for the <c>Server-Timing</c> header: waiting for a worker or a
/// batch (<paramref name="Queue"/>), then running (<paramref name="Run"/>) on a worker or in a batch of <paramref name="BatchSize"/> calls.
/// </summary>
public sealed record ExecutionTiming(TimeSpan Queue, TimeSpan Run, bool Batched, int BatchSize);
