using System.Collections.Concurrent;
using System.Security.Claims;
using Ferry.Core.Auth;
using Ferry.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server.Auth;

/// <summary>
/// Mints and checks the signed JWT access tokens. The HMAC key is generated on first start and kept
/// owner-only in the data directory; web nodes that share the data directory share the key. It signs
/// access tokens only: signed URLs have their own key (<see cref="UrlSigner"/>).
/// </summary>
internal sealed class AccessTokens
{
    public const string Issuer = "ferry";
    public const string Audience = "ferry";
    public const string LoginSessionClaim = "sid";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";
    private const string KeyFile = "jwt-signing-key";
    private const int MaxRemembered = 10_000;

    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };
    private readonly SymmetricSecurityKey key;
    private readonly TokenValidationParameters validation;
    private readonly IOptions<AuthOptions> options;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, (ClaimsIdentity Identity, DateTime NotBefore, DateTime Expires)> validated = new(StringComparer.Ordinal);

    public AccessTokens(DataDirectory dataDirectory, IOptions<AuthOptions> options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        key = new SymmetricSecurityKey(LoadOrCreateKey(dataDirectory, KeyFile));
        validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            NameClaimType = NameClaim,
            RoleClaimType = RoleClaim,
            // Expiry is judged by the injected clock, with no skew: one node, one clock.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now) && expires is not null && now < expires;
            },
        };
    }

    /// <summary>The lifetime in seconds, as <c>expires_in</c> reports it.</summary>
    public long LifetimeSeconds => (long)options.Value.AccessTokenLifetime.TotalSeconds;

    public (string Token, DateTimeOffset ExpiresOn) Create(Grant grant)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.AccessTokenLifetime;
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [NameClaim] = grant.UserName,
                [RoleClaim] = grant.Role.ToString(),
                [LoginSessionClaim] = grant.LoginSessionId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
        });
        return (token, expires);
    }

    /// <summary>
    /// The token's identity when its signature, issuer, audience and lifetime hold; else null. A token
    /// that validated once is remembered with its lifetime (clients send the same token for an hour),
    /// which spares the signature check and JSON parse on every call; its lifetime is still judged
    /// each time, and revocation is the caller's separate check.
    /// </summary>
    public async Task<ClaimsIdentity?> ValidateAsync(string token)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (validated.TryGetValue(token, out var known))
        {
            return known.NotBefore <= now && now < known.Expires ? known.Identity.Clone() : null;
        }

        var result = await handler.ValidateTokenAsync(token, validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        if (validated.Count >= MaxRemembered)
        {
            validated.Clear();
        }

        validated[token] = (result.ClaimsIdentity.Clone(), jwt.ValidFrom, jwt.ValidTo);
        return result.ClaimsIdentity;
    }

    /// <summary>A 512-bit key kept owner-only (mode 600) in the data directory, created on first use (by one node of those starting at once).</summary>
    internal static byte[] LoadOrCreateKey(DataDirectory dataDirectory, string keyFile)
    {
        var path = dataDirectory.PathOf(keyFile);
        if (!File.Exists(path))
        {
            dataDirectory.TryCreateSecret(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)));
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}
