namespace Ferry.Core.Execution;

/// <summary>An ML Server web service: <paramref name="InitCode"/> once per worker, <paramref name="Code"/> per call with the inputs bound.</summary>
public sealed record CodeEntry(string InitCode, string Code) : ServiceEntry;
