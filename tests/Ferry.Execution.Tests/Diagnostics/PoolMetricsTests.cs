using Ferry.Core.Diagnostics;
using Ferry.Core.Execution;
using Ferry.Execution.Diagnostics;
using Ferry.Execution.Pools;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Ferry.Execution.Tests.Pools;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Execution.Tests.Diagnostics;

/// <summary>The pool's instruments read its real bookkeeping: workers by state, calls waiting, workers that died.</summary>
public sealed class PoolMetricsTests : IDisposable
{
    private readonly TestMeterFactory meters = new();
    private readonly List<FakeWorker> started = [];

    [Fact]
    public async Task Gauges_ABusyWorkerAndAWaitingCall_AreReadFromThePool()
    {
        var metrics = new PoolMetrics(meters);
        var pool = Pool(metrics, new PoolSize(1, 1));
        metrics.Observe(() => [pool]);
        using var workers = new MetricCollector<int>(meters, FerryMetrics.MeterName, "ferry.pool.workers");
        using var queued = new MetricCollector<int>(meters, FerryMetrics.MeterName, "ferry.pool.queued_calls");

        var lease = await pool.AcquireAsync(CancellationToken.None);
        var waiting = pool.AcquireAsync(CancellationToken.None);
        workers.RecordObservableInstruments();
        queued.RecordObservableInstruments();

        var byState = workers.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[PoolMetrics.WorkerStateTag]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["starting"] = 0, ["idle"] = 0, ["busy"] = 1 }, byState);
        Assert.All(workers.GetMeasurementSnapshot(), m => Assert.Equal(("svc", "v1"), ((string)m.Tags[FerryMetrics.ServiceNameTag]!, (string)m.Tags[FerryMetrics.ServiceVersionTag]!)));
        Assert.Equal(1, queued.LastMeasurement!.Value);

        pool.Release(lease.Worker, died: false);
        pool.Release((await waiting).Worker, died: false);
        workers.Clear();
        workers.RecordObservableInstruments();
        Assert.Equal(1, workers.GetMeasurementSnapshot().Single(m => (string)m.Tags[PoolMetrics.WorkerStateTag]! == "idle").Value);
        pool.Remove();
    }

    [Fact]
    public async Task WorkerRestarts_ADeadWorker_CountsOnce_ARetiredLiveOneNot()
    {
        var metrics = new PoolMetrics(meters);
        var pool = Pool(metrics, new PoolSize(0, 2));
        using var restarts = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.worker.restarts");

        var lease = await pool.AcquireAsync(CancellationToken.None);
        started[0].Die();
        pool.Release(lease.Worker, died: true);

        var again = await pool.AcquireAsync(CancellationToken.None);
        pool.Release(again.Worker, died: false);
        pool.Remove(); // a live worker stopped with its pool is no restart

        var measurement = Assert.Single(restarts.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("svc", measurement.Tags[FerryMetrics.ServiceNameTag]);
    }

    public void Dispose() => meters.Dispose();

    private ServicePool Pool(PoolMetrics metrics, PoolSize size) =>
        new(
            new ServiceDefinition("svc", "v1", "owner", RuntimeType.Python, new CodeEntry("", "y = 1"), null, size, 1, DateTimeOffset.UnixEpoch),
            background: false,
            new ServicePoolOptions(),
            (definition, _) =>
            {
                var worker = new FakeWorker();
                lock (started)
                {
                    started.Add(worker);
                }

                return Task.FromResult(new PreparedWorker(worker, definition.Revision, Path.Combine(Path.GetTempPath(), "ferry-fake-" + Guid.NewGuid().ToString("N"))));
            },
            new WorkerBudget(4, 4),
            new FakeTimeProvider(),
            NullLogger.Instance,
            metrics);
}
