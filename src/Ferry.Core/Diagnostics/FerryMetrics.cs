using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ferry.Core.Diagnostics;

/// <summary>
/// The instruments of the web node (meter "Ferry"), recorded where their events happen. Names follow
/// OpenTelemetry's semantic conventions; the Prometheus exporter writes dots as underscores and adds the
/// unit and <c>_total</c> (<c>ferry_service_calls_total</c>, <c>ferry_service_call_duration_seconds</c>).
/// Only versions that exist get a <see cref="ServiceCallMeter"/>: a call to an unknown name is a 404 that
/// counts nowhere, so no caller can grow the tag sets.
/// </summary>
public sealed class FerryMetrics
{
    public const string MeterName = "Ferry";
    public const string ServiceNameTag = "ferry.service.name";
    public const string ServiceVersionTag = "ferry.service.version";
    public const string OutcomeTag = "ferry.service.outcome";
    public const string RunStateTag = "ferry.run.state";
    public const string ThrottleReasonTag = "ferry.auth.throttle.reason";

    /// <summary>Sub-millisecond to seconds: a cached prediction takes 100 µs, a cold model seconds.</summary>
    private static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly ConcurrentDictionary<(string Name, string Version), ServiceCallMeter> services = new();
    private readonly TimeProvider time;
    private readonly Counter<long> calls;
    private readonly Histogram<double> duration;
    private readonly Counter<long> batchRecords;
    private readonly Counter<long> runs;
    private readonly Counter<long> loginFailures;
    private readonly Counter<long> loginThrottled;
    private Func<int>? openSessions;
    private Func<IEnumerable<KeyValuePair<string, int>>>? activeRuns;

    public FerryMetrics(IMeterFactory meters, TimeProvider time)
    {
        this.time = time;
        var meter = meters.Create(MeterName);
        calls = meter.CreateCounter<long>(
            "ferry.service.calls", "{call}", "Consume calls of a web service version, by outcome: success, failure (success:false) or error (an HTTP error).");
        duration = meter.CreateHistogram(
            "ferry.service.call.duration",
            "s",
            "How long consume calls of a web service version took, from the definition found to the result.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        batchRecords = meter.CreateCounter<long>("ferry.batch.records", "{record}", "Batch records whose result is stored.");
        runs = meter.CreateCounter<long>("ferry.runs", "{run}", "Runs that entered a state (queued, preparing, running, finalizing, or an end).");
        loginFailures = meter.CreateCounter<long>("ferry.auth.login.failures", "{login}", "Logins refused for a wrong user name or password.");
        loginThrottled = meter.CreateCounter<long>(
            "ferry.auth.login.throttled", "{login}", "Logins refused with 429: too many failures (failed_logins) or too many password checks at once (busy).");
        meter.CreateObservableUpDownCounter("ferry.sessions.open", () => openSessions?.Invoke() ?? 0, "{session}", "Remote sessions open.");
        meter.CreateObservableUpDownCounter(
            "ferry.runs.active", ObserveActiveRuns, "{run}", "Runs not ended, by state: queued ones as the database has them, the others as this node runs them.");
    }

    /// <summary>The tags naming a service version on every series of it (pools' included).</summary>
    public static KeyValuePair<string, object?>[] ServiceTags(string name, string version) =>
        [new(ServiceNameTag, name), new(ServiceVersionTag, version)];

    /// <summary>The instruments of one existing version (made on its first call).</summary>
    public ServiceCallMeter For(string name, string version) =>
        services.GetOrAdd((name, version), static (key, self) => new ServiceCallMeter(key.Name, key.Version, self.calls, self.duration, self.batchRecords, self.time), this);

    /// <summary>The version's calls of the last 30 minutes; none when it was not called since the server started.</summary>
    public IReadOnlyList<ServiceCallPoint> Points(string name, string version) =>
        services.TryGetValue((name, version), out var meter) ? meter.Window.Points() : [];

    /// <summary>The version was deleted: its window goes (its exported series stay until the process ends, as Prometheus expects).</summary>
    public void Forget(string name, string version) => services.TryRemove((name, version), out _);

    /// <summary>A run moved to <paramref name="state"/>.</summary>
    public void RunEntered(string state) => runs.Add(1, new KeyValuePair<string, object?>(RunStateTag, state));

    public void LoginFailed() => loginFailures.Add(1);

    /// <summary>A login refused with 429; <paramref name="reason"/> is <c>failed_logins</c> or <c>busy</c>.</summary>
    public void LoginThrottled(string reason) => loginThrottled.Add(1, new KeyValuePair<string, object?>(ThrottleReasonTag, reason));

    /// <summary>Where <c>ferry.sessions.open</c> is read from when scraped.</summary>
    public void ObserveOpenSessions(Func<int> count) => openSessions = count;

    /// <summary>Where <c>ferry.runs.active</c> is read from when scraped: a count per state.</summary>
    public void ObserveActiveRuns(Func<IEnumerable<KeyValuePair<string, int>>> countByState) => activeRuns = countByState;

    private IEnumerable<Measurement<int>> ObserveActiveRuns()
    {
        foreach (var (state, count) in activeRuns?.Invoke() ?? [])
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>(RunStateTag, state));
        }
    }

    internal static string TagValue(ServiceOutcome outcome) => outcome switch
    {
        ServiceOutcome.Success => "success",
        ServiceOutcome.Failure => "failure",
        _ => "error",
    };
}
