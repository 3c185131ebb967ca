using Ferry.Core.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Core.Tests.Diagnostics;

/// <summary>The portal's per-version window: 10-second intervals over 30 minutes, counts by outcome, percentiles from a bounded histogram.</summary>
public sealed class ServiceCallWindowTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 5, 0, 3, TimeSpan.Zero));

    [Fact]
    public void Points_CallsInTwoIntervals_OldestFirstWithCountsByOutcome()
    {
        var window = new ServiceCallWindow(clock);
        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(1));
        window.Record(ServiceOutcome.Failure, TimeSpan.FromMilliseconds(1));
        clock.Advance(TimeSpan.FromSeconds(30)); // two empty intervals between
        window.Record(ServiceOutcome.Error, TimeSpan.FromMilliseconds(1));
        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(1));
        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(1));

        var points = window.Points();

        Assert.Equal(2, points.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), points[0].Start);
        Assert.Equal((2, 1, 0), (points[0].Calls, points[0].Failures, points[0].Errors));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 5, 0, 30, TimeSpan.Zero), points[1].Start);
        Assert.Equal((3, 0, 1), (points[1].Calls, points[1].Failures, points[1].Errors));
    }

    [Fact]
    public void Points_Percentiles_WithinTheHistogramsResolution()
    {
        var window = new ServiceCallWindow(clock);
        for (var i = 0; i < 98; i++)
        {
            window.Record(ServiceOutcome.Success, TimeSpan.FromMicroseconds(400));
        }

        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(120));
        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(120));

        var point = Assert.Single(window.Points());
        Assert.InRange(point.P50Ms, 0.4 * 0.875, 0.4 * 1.125);
        Assert.InRange(point.P99Ms, 120 * 0.875, 120 * 1.125);
    }

    [Fact]
    public void Points_AfterThirtyMinutes_OldIntervalsAreGoneAndTheirSlotsStartEmpty()
    {
        var window = new ServiceCallWindow(clock);
        window.Record(ServiceOutcome.Success, TimeSpan.FromMilliseconds(5));
        clock.Advance(TimeSpan.FromMinutes(29) + TimeSpan.FromSeconds(50));
        Assert.Single(window.Points()); // still the last 30 minutes

        clock.Advance(TimeSpan.FromSeconds(10)); // the first interval's slot comes round again
        Assert.Empty(window.Points());
        window.Record(ServiceOutcome.Failure, TimeSpan.FromMilliseconds(1));

        var point = Assert.Single(window.Points());
        Assert.Equal((1, 1, 0), (point.Calls, point.Failures, point.Errors));
        Assert.InRange(point.P99Ms, 0.875, 1.125); // the 5 ms call of 30 minutes ago is not in it
    }

    [Fact]
    public void Record_FromManyThreads_CountsEveryCall()
    {
        var window = new ServiceCallWindow(clock);
        Parallel.For(0, 10_000, i => window.Record(i % 10 == 0 ? ServiceOutcome.Failure : ServiceOutcome.Success, TimeSpan.FromMicroseconds(i % 500)));

        var point = Assert.Single(window.Points());
        Assert.Equal((10_000, 1_000), (point.Calls, point.Failures));
    }
}
