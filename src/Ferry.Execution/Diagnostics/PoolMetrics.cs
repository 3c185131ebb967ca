using System.Diagnostics.Metrics;
using Ferry.Core.Diagnostics;
using Ferry.Execution.Pools;

namespace Ferry.Execution.Diagnostics;

/// <summary>
/// The pools' instruments (meter "Ferry"): workers by state and calls waiting, read from every pool when
/// scraped, and workers that died and were replaced, counted as it happens.
/// </summary>
public sealed class PoolMetrics
{
    public const string WorkerStateTag = "ferry.worker.state";

    private readonly Counter<long> restarts;
    private Func<IEnumerable<ServicePool>> pools = () => [];

    public PoolMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(FerryMetrics.MeterName);
        restarts = meter.CreateCounter<long>(
            "ferry.worker.restarts", "{worker}", "Pool workers that died (crashed, killed past a limit) and are replaced.");
        meter.CreateObservableUpDownCounter(
            "ferry.pool.workers", ObserveWorkers, "{worker}", "Workers of a service version's pool by state (starting, idle, busy); their sum is the pool's size.");
        meter.CreateObservableUpDownCounter(
            "ferry.pool.queued_calls", ObserveQueued, "{call}", "Calls of a service version waiting for a worker of its pool (a batch pool's series carry ferry.pool=batch).");
    }

    /// <summary>Where the pools are read from when scraped (the manager's table).</summary>
    internal void Observe(Func<IEnumerable<ServicePool>> source) => pools = source;

    internal void WorkerRestarted(KeyValuePair<string, object?>[] tags) => restarts.Add(1, tags);

    private IEnumerable<Measurement<int>> ObserveWorkers()
    {
        foreach (var pool in pools())
        {
            var load = pool.Load();
            var tags = pool.Tags;
            yield return new Measurement<int>(load.Starting, [.. tags, new(WorkerStateTag, "starting")]);
            yield return new Measurement<int>(load.Idle, [.. tags, new(WorkerStateTag, "idle")]);
            yield return new Measurement<int>(load.Busy, [.. tags, new(WorkerStateTag, "busy")]);
        }
    }

    private IEnumerable<Measurement<int>> ObserveQueued()
    {
        foreach (var pool in pools())
        {
            yield return new Measurement<int>(pool.Load().Queued, pool.Tags);
        }
    }
}
