namespace Ferry.Core.Auth;

/// <summary>
/// One login: the chain of refresh tokens it rotates through and the access tokens minted from
/// them (they carry its id). Revoking it ends them all.
/// </summary>
public sealed record LoginSession(
    string Id,
    string UserId,
    string RefreshTokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset? RevokedAt);
