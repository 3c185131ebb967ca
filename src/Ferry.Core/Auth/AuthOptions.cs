namespace Ferry.Core.Auth;

/// <summary>Token lifetimes and login throttling (section <c>Ferry:Auth</c>). Defaults are ML Server's.</summary>
public sealed class AuthOptions
{
    public const string Section = "Ferry:Auth";

    /// <summary>Lifetime of an access token.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A refresh token not used for this long is dead (ML Server: 336 hours).</summary>
    public TimeSpan RefreshTokenIdleLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Renewals stop this long after the login; then the user logs in again.</summary>
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Failed logins for one user name from one client address allowed within <see cref="FailedLoginWindow"/>.</summary>
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>Failed logins from one client address (an IPv6 /64), whatever the names, allowed within <see cref="FailedLoginWindow"/>.</summary>
    public int MaxFailedLoginsPerAddress { get; set; } = 30;

    /// <summary>
    /// Password checks (PBKDF2, CPU-bound) running at once; beyond them up to
    /// <see cref="MaxQueuedPasswordChecks"/> wait, and further logins get 429 at once. Half the cores by default,
    /// so a login flood cannot starve the rest of the server.
    /// </summary>
    public int MaxConcurrentPasswordChecks { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    public int MaxQueuedPasswordChecks { get; set; } = 32;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a web node trusts its cached answer that a login is still live.</summary>
    public TimeSpan RevocationCacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
