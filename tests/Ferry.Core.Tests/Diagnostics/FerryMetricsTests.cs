using Ferry.Core.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Core.Tests.Diagnostics;

/// <summary>One recording call feeds the exported instruments and the portal's window alike.</summary>
public sealed class FerryMetricsTests : IDisposable
{
    private readonly TestMeterFactory meters = new();
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public void Record_CountsByOutcome_TimesInSeconds_AndFillsTheWindow()
    {
        var metrics = new FerryMetrics(meters, clock);
        using var calls = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.service.calls");
        using var durations = new MetricCollector<double>(meters, FerryMetrics.MeterName, "ferry.service.call.duration");

        var meter = metrics.For("Iris", "V1.0");
        meter.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(2));
        meter.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(2));
        meter.Record(ServiceOutcome.Failure, TimeSpan.FromMilliseconds(3));
        metrics.For("Iris", "V1.0").Record(ServiceOutcome.Error, TimeSpan.FromMilliseconds(1));

        Assert.Same(meter, metrics.For("Iris", "V1.0"));
        var byOutcome = calls.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags[FerryMetrics.OutcomeTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 2, ["failure"] = 1, ["error"] = 1 }, byOutcome);
        Assert.All(calls.GetMeasurementSnapshot(), m => Assert.True(m.ContainsTags(FerryMetrics.ServiceNameTag, FerryMetrics.ServiceVersionTag)));
        Assert.Equal([0.002, 0.002, 0.003, 0.001], durations.GetMeasurementSnapshot().Select(m => Math.Round(m.Value, 6)));

        var point = Assert.Single(metrics.Points("Iris", "V1.0"));
        Assert.Equal((4, 1, 1), (point.Calls, point.Failures, point.Errors));
        Assert.Empty(metrics.Points("Iris", "V2.0"));
        metrics.Forget("Iris", "V1.0");
        Assert.Empty(metrics.Points("Iris", "V1.0"));
    }

    [Fact]
    public void Auth_Runs_Batches_AndSessions_AreCounted()
    {
        var metrics = new FerryMetrics(meters, clock);
        using var failures = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.auth.login.failures");
        using var throttled = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.auth.login.throttled");
        using var runs = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.runs");
        using var records = new MetricCollector<long>(meters, FerryMetrics.MeterName, "ferry.batch.records");
        using var sessions = new MetricCollector<int>(meters, FerryMetrics.MeterName, "ferry.sessions.open");
        using var active = new MetricCollector<int>(meters, FerryMetrics.MeterName, "ferry.runs.active");

        metrics.LoginFailed();
        metrics.LoginThrottled("failed_logins");
        metrics.RunEntered("Queued");
        metrics.RunEntered("Completed");
        metrics.For("Iris", "V1.0").RecordBatchRecords(7);
        var open = 3;
        metrics.ObserveOpenSessions(() => open);
        sessions.RecordObservableInstruments();
        metrics.ObserveActiveRuns(() => [new("Queued", 2), new("Running", 1)]);
        active.RecordObservableInstruments();

        Assert.Equal(1, failures.LastMeasurement!.Value);
        Assert.Equal("failed_logins", throttled.LastMeasurement!.Tags[FerryMetrics.ThrottleReasonTag]);
        Assert.Equal(["Queued", "Completed"], runs.GetMeasurementSnapshot().Select(m => (string)m.Tags[FerryMetrics.RunStateTag]!));
        Assert.Equal(7, records.LastMeasurement!.Value);
        Assert.Equal("Iris", records.LastMeasurement.Tags[FerryMetrics.ServiceNameTag]);
        Assert.Equal(3, sessions.LastMeasurement!.Value);
        Assert.Equal(
            ["Queued=2", "Running=1"],
            active.GetMeasurementSnapshot().Select(m => $"{m.Tags[FerryMetrics.RunStateTag]}={m.Value}"));
    }

    public void Dispose() => meters.Dispose();
}
