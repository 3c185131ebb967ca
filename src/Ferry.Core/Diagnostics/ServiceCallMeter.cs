using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ferry.Core.Execution;

namespace Ferry.Core.Diagnostics;

/// <summary>
/// One web service version's instruments, made once and kept: its tag sets are built here, so a
/// call records a counter, a histogram and its <see cref="Window"/> without allocating.
/// </summary>
public sealed class ServiceCallMeter
{
    private readonly Counter<long> calls;
    private readonly Histogram<double> duration;
    private readonly Counter<long> batchRecords;
    private readonly KeyValuePair<string, object?>[] service;
    private readonly KeyValuePair<string, object?>[][] byOutcome;

    internal ServiceCallMeter(string name, string version, Counter<long> calls, Histogram<double> duration, Counter<long> batchRecords, TimeProvider time)
    {
        this.calls = calls;
        this.duration = duration;
        this.batchRecords = batchRecords;
        service = FerryMetrics.ServiceTags(name, version);
        byOutcome = [.. Enum.GetValues<ServiceOutcome>().Select(o => (KeyValuePair<string, object?>[])[.. service, new(FerryMetrics.OutcomeTag, FerryMetrics.TagValue(o))])];
        Window = new ServiceCallWindow(time);
    }

    /// <summary>The last 30 minutes of calls, for the portal's chart.</summary>
    public ServiceCallWindow Window { get; }

    /// <summary>
    /// Runs one call and records it: a result by its success, an exception (a bad input, a busy pool, a
    /// caller gone) as an error. The state keeps <paramref name="run"/> static, so nothing is captured.
    /// </summary>
    public async Task<ExecutionResult> MeasureAsync<TState>(TState state, Func<TState, Task<ExecutionResult>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = ServiceOutcome.Error;
        try
        {
            var result = await run(state);
            outcome = result.Success ? ServiceOutcome.Success : ServiceOutcome.Failure;
            return result;
        }
        finally
        {
            Record(outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>One consume call ended after <paramref name="elapsed"/>.</summary>
    public void Record(ServiceOutcome outcome, TimeSpan elapsed)
    {
        var tags = byOutcome[(int)outcome];
        calls.Add(1, tags);
        duration.Record(elapsed.TotalSeconds, tags);
        Window.Record(outcome, elapsed);
    }

    /// <summary>Batch records whose results are stored.</summary>
    public void RecordBatchRecords(int count) => batchRecords.Add(count, service);
}
