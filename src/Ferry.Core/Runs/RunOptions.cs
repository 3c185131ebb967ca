namespace Ferry.Core.Runs;

/// <summary>Runs (section <c>Ferry:Runs</c>).</summary>
public sealed class RunOptions
{
    public const string Section = "Ferry:Runs";

    /// <summary>The most a project zip may unpack to, in bytes.</summary>
    public long MaxProjectBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Runs one user may have queued or running at once; one more startrun gets 429.</summary>
    public int MaxActiveRunsPerUser { get; set; } = 4;
}
