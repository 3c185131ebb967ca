namespace Ferry.Core.Sessions;

/// <summary>Remote sessions (section <c>Ferry:Sessions</c>).</summary>
public sealed class RemoteSessionOptions
{
    public const string Section = "Ferry:Sessions";

    /// <summary>Where session working directories live; the server sets it under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Sessions per user; one more is refused with 429.</summary>
    public int MaxSessionsPerUser { get; set; } = 20;
}
