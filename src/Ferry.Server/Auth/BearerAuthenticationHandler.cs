using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Ferry.Core.Auth;
using Ferry.Core.Diagnostics;
using Ferry.Server.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> access tokens: a valid signature and lifetime, and a
/// login that has not been revoked since the token was minted.
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokens tokens,
    AuthService auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    /// <summary>The check, as the <c>ferry.authenticate</c> span of the request's trace.</summary>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        using var activity = FerryActivities.Source.StartActivity(FerryActivities.Authenticate);
        var result = await ValidateAsync();
        if (result.Failure is { } failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        return result;
    }

    // A ValueTask: a cached token answers without allocating a second task per request.
    private async ValueTask<AuthenticateResult> ValidateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("The Authorization header must be 'Bearer <access_token>'.");
        }

        var identity = await tokens.ValidateAsync(header[Prefix.Length..].Trim());
        if (identity is null)
        {
            return Fail("The access token is invalid or expired; renew it with POST /login/refreshToken or log in again.");
        }

        var loginSession = identity.FindFirst(AccessTokens.LoginSessionClaim)?.Value;
        var userName = identity.FindFirst(AccessTokens.NameClaim)?.Value;
        var login = loginSession is null || userName is null ? LoginState.Dead : await auth.CheckLoginAsync(loginSession, userName, Context.RequestAborted);
        if (!login.Live)
        {
            return Fail("The access token has been revoked; log in again.");
        }

        // The role the user holds now (on any node, after a change by any node or the admin CLI), not the one the token was minted with.
        if (login.Role is { } role && identity.FindFirst(AccessTokens.RoleClaim) is { } minted && minted.Value != role.ToString())
        {
            identity.RemoveClaim(minted);
            identity.AddClaim(new Claim(AccessTokens.RoleClaim, role.ToString()));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        return Task.CompletedTask;
    }

    private AuthenticateResult Fail(string message)
    {
        ErrorWriter.SetMessage(Context, message);
        return AuthenticateResult.Fail(message);
    }
}
