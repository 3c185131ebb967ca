namespace Ferry.Execution.Runtimes;

/// <summary>
/// A scoring script in a runtime's own words: <paramref name="InitCode"/> once per worker, then
/// <paramref name="CallCode"/> per call with <c>raw_data</c> bound, leaving its answer in <paramref name="Result"/>.
/// </summary>
public sealed record ScoringCode(string InitCode, string CallCode, string Result);
