namespace Ferry.Core.Runs;

/// <summary>Runs (section <c>Ferry:Runs</c>).</summary>
public sealed class RunOptions
{
    public const string Section = "Ferry:Runs";

    /// <summary>The most a project zip may unpack to, in bytes.</summary>
    public long MaxProjectBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Runs one user may have queued or running at once; one more startrun gets 429.</summary>
    public int MaxActiveRunsPerUser { get; set; } = 4;

    /// <summary>How much of a run's output its driver log keeps, in bytes; past it the log says so and the rest is dropped (the run goes on).</summary>
    public long MaxLogBytes { get; set; } = 256L * 1024 * 1024;
}
