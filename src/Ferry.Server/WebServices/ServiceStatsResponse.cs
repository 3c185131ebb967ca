namespace Ferry.Server.WebServices;

/// <summary>
/// A Ferry extension: a version's calls of the last 30 minutes in <c>intervalSeconds</c> intervals, oldest
/// first, only the intervals that had calls (for the portal's chart).
/// </summary>
public sealed record ServiceStatsResponse(string Name, string Version, int IntervalSeconds, IReadOnlyList<ServiceStatsPoint> Points);
