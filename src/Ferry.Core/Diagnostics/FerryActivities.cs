using System.Diagnostics;

namespace Ferry.Core.Diagnostics;

/// <summary>
/// Ferry's spans (activity source "Ferry"), started under ASP.NET Core's request activity. With nothing
/// listening, <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs a flag check.
/// </summary>
public static class FerryActivities
{
    public const string SourceName = "Ferry";

    /// <summary>The bearer token checked: signature, lifetime, and the login still live.</summary>
    public const string Authenticate = "ferry.authenticate";

    /// <summary>A consume call waiting for a worker of its service's pool (and, if need be, for one to start).</summary>
    public const string PoolWait = "ferry.pool.wait";

    /// <summary>A consume call running on a worker: written to its socket until its reply is read.</summary>
    public const string WorkerCall = "ferry.worker.call";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span of one service version's call, or null when nobody listens.</summary>
    public static Activity? StartServiceSpan(string spanName, string name, string version)
    {
        var activity = Source.StartActivity(spanName);
        activity?.SetTag(FerryMetrics.ServiceNameTag, name);
        activity?.SetTag(FerryMetrics.ServiceVersionTag, version);
        return activity;
    }
}
