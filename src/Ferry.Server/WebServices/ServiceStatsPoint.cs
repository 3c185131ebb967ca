using Ferry.Core.Diagnostics;

namespace Ferry.Server.WebServices;

/// <summary>
/// One interval of <see cref="ServiceStatsResponse"/>: calls (whatever their outcome), those answered
/// <c>success:false</c> (failures) and those answered with an HTTP error (errors), and the latency of every
/// call in milliseconds, estimated from a log-linear histogram (within 12.5% of the true value).
/// <c>Start</c> is when the interval began, UTC (written with a <c>Z</c>).
/// </summary>
public sealed record ServiceStatsPoint(DateTime Start, int Calls, int Failures, int Errors, double P50Ms, double P99Ms)
{
    public static ServiceStatsPoint From(ServiceCallPoint point) =>
        new(point.Start.UtcDateTime, point.Calls, point.Failures, point.Errors, point.P50Ms, point.P99Ms);
}
