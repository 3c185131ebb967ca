namespace Ferry.Server.Diagnostics;

/// <summary>The Prometheus listener (section <c>Ferry:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Ferry:Metrics";

    /// <summary>Where <c>/metrics</c> is served when nothing else is said: loopback, so it is never public by accident.</summary>
    public const string DefaultUrls = "http://127.0.0.1:12801";

    /// <summary>
    /// The addresses of a listener that serves <c>/metrics</c> and nothing else (separated by <c>;</c>, each
    /// with a fixed port that the API does not use). Empty: no metrics are exported.
    /// </summary>
    public string Urls { get; set; } = DefaultUrls;
}
