namespace Ferry.Core.Auth;

/// <summary>Login sessions as rows; refresh tokens are only ever stored hashed.</summary>
public interface ILoginSessionStore
{
    Task AddAsync(LoginSession session, CancellationToken cancellationToken);

    Task<LoginSession?> FindByRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken);

    Task<LoginSession?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the refresh token only if it is still <paramref name="expectedHash"/>, so two
    /// renewals racing with one token cannot both succeed; the old one is remembered as retired.
    /// </summary>
    Task<bool> RotateAsync(string id, string expectedHash, string newHash, DateTimeOffset usedAt, CancellationToken cancellationToken);

    /// <summary>The login a rotated-out refresh token belonged to; null when it never was one.</summary>
    Task<string?> FindByRetiredRefreshTokenHashAsync(string refreshTokenHash, CancellationToken cancellationToken);

    Task RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}
