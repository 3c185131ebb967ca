using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ferry.Core.Changes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Auth;

/// <summary>
/// Logins, refresh-token renewal and revocation, and the question every authenticated request asks:
/// is the login this access token came from still live?
/// </summary>
public sealed partial class AuthService(
    IUserStore users,
    ILoginSessionStore sessions,
    LoginThrottle throttle,
    PasswordCheckGate passwordChecks,
    IOptions<AuthOptions> options,
    TimeProvider time, IServicePrincipalStore principals, FerryMetrics metrics, IChangeNotices notices, ILogger<AuthService> logger) : IChangeSubscriber
{
    /// <summary>Longer user names are refused before any work (valid names have at most 64 characters).</summary>
    public const int MaxUserNameLength = 256;

    /// <summary>Longer passwords are refused before hashing: PBKDF2's cost grows with the password.</summary>
    public const int MaxPasswordLength = 1024;

    private const string InvalidCredentials = "Invalid user name or password.";
    private const string InvalidRefreshToken = "The refresh token is invalid, expired or revoked.";

    // Answers to "is this login live?" for a short while, so a request costs no database round trip.
    private readonly ConcurrentDictionary<(string LoginSessionId, string UserName), (LoginState State, DateTimeOffset CheckedAt)> liveness = new();

    /// <summary>Logs in from <paramref name="clientAddress"/> (the throttle's unit: see <see cref="LoginThrottle.ClientKey"/>).</summary>
    public async Task<Grant> LoginAsync(string userName, string password, string clientAddress, CancellationToken cancellationToken)
    {
        if (userName.Length > MaxUserNameLength || password.Length > MaxPasswordLength)
        {
            throw FerryException.BadRequest(
                $"'username' may have at most {MaxUserNameLength} characters and 'password' at most {MaxPasswordLength}.");
        }

        if (throttle.RetryAfter(userName, clientAddress) is { } wait)
        {
            metrics.LoginThrottled("failed_logins");
            throw FerryException.TooManyRequests("Too many failed logins for this user from your address; try again later.", wait);
        }

        var user = await users.FindByNameAsync(userName, cancellationToken);

        // Verify against a decoy when the user is unknown so timing does not tell which names exist.
        bool valid;
        try
        {
            valid = await passwordChecks.CheckAsync(() => PasswordHasher.Verify(password, user?.PasswordHash ?? PasswordHasher.Decoy), cancellationToken)
                && user is not null;
        }
        catch (FerryException busy) when (busy.Kind == FerryErrorKind.TooManyRequests)
        {
            metrics.LoginThrottled("busy");
            throw;
        }

        if (!valid)
        {
            metrics.LoginFailed();
            throttle.RecordFailure(userName, clientAddress);
            throw FerryException.Unauthorized(InvalidCredentials);
        }

        throttle.RecordSuccess(userName, clientAddress);
        var now = time.GetUtcNow();
        var refreshToken = NewRefreshToken();
        var session = new LoginSession(Guid.NewGuid().ToString("N"), user!.Id, Hash(refreshToken), now, now, null);
        await sessions.AddAsync(session, cancellationToken);
        return new Grant(user.Name, user.Role, session.Id, refreshToken);
    }

    public async Task<Grant> RenewAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var (session, user) = await FindLiveAsync(refreshToken, cancellationToken);
        var next = NewRefreshToken();
        if (!await sessions.RotateAsync(session.Id, session.RefreshTokenHash, Hash(next), time.GetUtcNow(), cancellationToken))
        {
            throw FerryException.Unauthorized(InvalidRefreshToken);
        }

        return new Grant(user.Name, user.Role, session.Id, next);
    }

    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var (session, _) = await FindLiveAsync(refreshToken, cancellationToken);
        await sessions.RevokeAsync(session.Id, time.GetUtcNow(), cancellationToken);
        await ForgetAsync(session.Id);
    }

    /// <summary>
    /// Live while the login is neither revoked nor past its absolute lifetime, nor its user removed,
    /// and belongs to <paramref name="userName"/>, the user the token names: a token naming one user
    /// with another's login id is refused. The state carries the user's role as the database has it
    /// now, not as the token was minted. Revocations and role changes made on another node or by the
    /// admin CLI are seen within the cache lifetime (at once on PostgreSQL, through change notices).
    /// </summary>
    public async ValueTask<LoginState> CheckLoginAsync(string loginSessionId, string userName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (loginSessionId, userName);
        if (liveness.TryGetValue(key, out var cached) && now - cached.CheckedAt < options.Value.RevocationCacheLifetime)
        {
            return cached.State;
        }

        LoginState state;
        if (loginSessionId.StartsWith(ServicePrincipalService.LoginPrefix, StringComparison.Ordinal))
        {
            // A client-credential token lives while its service principal does; it holds no server role.
            var principal = await principals.FindAsync(loginSessionId[ServicePrincipalService.LoginPrefix.Length..], cancellationToken);
            state = principal is not null && string.Equals(ServicePrincipalService.LoginPrefix + principal.Name, userName, StringComparison.Ordinal)
                ? new LoginState(true, null)
                : LoginState.Dead;
        }
        else
        {
            var session = await sessions.FindAsync(loginSessionId, cancellationToken);
            state = session is { RevokedAt: null } && now - session.CreatedAt < options.Value.RefreshTokenAbsoluteLifetime
                && await users.FindByIdAsync(session.UserId, cancellationToken) is { } owner
                && string.Equals(owner.Name, userName, StringComparison.OrdinalIgnoreCase)
                    ? new LoginState(true, owner.Role)
                    : LoginState.Dead;
        }

        if (liveness.Count > 100_000)
        {
            liveness.Clear(); // a bound, not a policy: entries are cheap to recompute
        }

        liveness[key] = (state, now);
        return state;
    }

    string IChangeSubscriber.Topic => ChangeTopics.Auth;

    /// <summary>Another node revoked a login, or changed a user's role: the next request asks the database.</summary>
    Task IChangeSubscriber.ApplyAsync(string key, CancellationToken cancellationToken)
    {
        if (key == ChangeTopics.AllLogins)
        {
            liveness.Clear();
        }
        else
        {
            ForgetHere(key);
        }

        return Task.CompletedTask;
    }

    Task IChangeSubscriber.ResyncAsync(CancellationToken cancellationToken)
    {
        liveness.Clear();
        return Task.CompletedTask;
    }

    private async Task<(LoginSession Session, User User)> FindLiveAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(refreshToken))
        {
            throw FerryException.Unauthorized(InvalidRefreshToken);
        }

        var hash = Hash(refreshToken);
        var session = await sessions.FindByRefreshTokenHashAsync(hash, cancellationToken);
        var now = time.GetUtcNow();
        if (session is null && await sessions.FindByRetiredRefreshTokenHashAsync(hash, cancellationToken) is { } stolen)
        {
            // A rotated-out token came back: one of two holders is not the user. End the login for both.
            await sessions.RevokeAsync(stolen, now, cancellationToken);
            await ForgetAsync(stolen);
            LogRefreshTokenReuse(logger, stolen);
            throw FerryException.Unauthorized(InvalidRefreshToken);
        }

        var o = options.Value;
        if (session is null || session.RevokedAt is not null
            || now - session.LastUsedAt >= o.RefreshTokenIdleLifetime
            || now - session.CreatedAt >= o.RefreshTokenAbsoluteLifetime)
        {
            throw FerryException.Unauthorized(InvalidRefreshToken);
        }

        var user = await users.FindByIdAsync(session.UserId, cancellationToken)
            ?? throw FerryException.Unauthorized(InvalidRefreshToken);
        return (session, user);
    }

    /// <summary>Drops what this node remembered of a login, and tells the other nodes to do the same (revocations are rare).</summary>
    private async Task ForgetAsync(string loginSessionId)
    {
        ForgetHere(loginSessionId);
        await notices.PublishAsync(ChangeTopics.Auth, loginSessionId, CancellationToken.None); // committed: tell the others even if the caller left
    }

    private void ForgetHere(string loginSessionId)
    {
        foreach (var key in liveness.Keys)
        {
            if (key.LoginSessionId == loginSessionId)
            {
                liveness.TryRemove(key, out _);
            }
        }
    }

    // URL-safe, so the token can travel in a query string or path segment unescaped.
    private static string NewRefreshToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    // Refresh tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely.
    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A rotated-out refresh token of login {LoginSessionId} was presented again; the login is revoked (possible token theft)")]
    private static partial void LogRefreshTokenReuse(ILogger logger, string loginSessionId);
}
