namespace Ferry.Core.Sessions;

/// <summary>Remote sessions (section <c>Ferry:Sessions</c>).</summary>
public sealed class RemoteSessionOptions
{
    public const string Section = "Ferry:Sessions";

    /// <summary>Where session working directories live; the server sets it under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Sessions per user; one more is refused with 429.</summary>
    public int MaxSessionsPerUser { get; set; } = 20;

    /// <summary>A session nobody has called for this long is closed and its files removed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often idle sessions are looked for.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The largest file upload or workspace object, in bytes; a larger one is refused with 413.</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;
}
