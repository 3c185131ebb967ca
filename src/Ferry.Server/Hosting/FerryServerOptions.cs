namespace Ferry.Server.Hosting;

/// <summary>HTTP-level settings (section <c>Ferry:Server</c>).</summary>
public sealed class FerryServerOptions
{
    public const string Section = "Ferry:Server";

    /// <summary>The address the server listens on when none is given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:12800";

    /// <summary>The largest request body accepted, in bytes; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The largest body an online endpoint's <c>/score</c> accepts (Azure ML refuses large payloads too); larger ones get 413.</summary>
    public long MaxScoringBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The password of the <c>admin</c> account created on first start (<c>FERRY_ADMIN_PASSWORD</c>).
    /// When empty a random one is generated, printed once and written owner-only to
    /// <c>initial-admin-password</c> in the data directory.
    /// </summary>
    public string? AdminPassword { get; set; }
}
