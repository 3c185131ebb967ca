using Ferry.Core.Auth;
using Ferry.Core.Errors;
using Ferry.Server.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.Auth;

/// <summary>Authentication APIs: log in, renew with a refresh token, revoke it.</summary>
internal static class AuthEndpoints
{
    /// <summary>Room for the longest user name and password (in JSON escapes) and a refresh token.</summary>
    private const long MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        // Anyone may call these: a small body limit keeps a huge user name from costing memory or time.
        var group = app.MapGroup("/login").WithTags("Authentication APIs").RequirePermission(Permission.Public).WithMetadata(new BodySizeLimit(MaxBodyBytes));
        group.MapPost("/", LoginAsync).WithName("login");
        group.MapPost("/refreshToken", RenewTokenAsync).WithName("renewToken");
        group.MapDelete("/refreshToken", RevokeByQueryAsync).WithName("revokeRefreshToken");

        // The per-service swaggers declare revocation with the token in the path.
        group.MapDelete("/refreshToken/{refreshToken}", RevokeByPathAsync).WithName("revokeRefreshTokenByPath");
        return app;
    }

    private static async Task<Ok<AccessTokenResponse>> LoginAsync(
        LoginRequest request, HttpContext context, AuthService auth, AccessTokens tokens, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || request.Password is null)
        {
            throw FerryException.BadRequest("Both 'username' and 'password' are required.");
        }

        var grant = await auth.LoginAsync(request.Username, request.Password, LoginThrottle.ClientKey(context.Connection.RemoteIpAddress), cancellationToken);
        return TypedResults.Ok(ToResponse(grant, tokens));
    }

    private static async Task<Ok<AccessTokenResponse>> RenewTokenAsync(
        RenewTokenRequest request, AuthService auth, AccessTokens tokens, CancellationToken cancellationToken)
    {
        var grant = await auth.RenewAsync(Required(request.RefreshToken), cancellationToken);
        return TypedResults.Ok(ToResponse(grant, tokens));
    }

    private static async Task<Ok<RevokedResponse>> RevokeByQueryAsync(string? refreshToken, AuthService auth, CancellationToken cancellationToken)
    {
        await auth.RevokeAsync(Required(refreshToken), cancellationToken);
        return TypedResults.Ok(RevokedResponse.Instance);
    }

    // Routing leaves an escaped '/' (%2F) in a path segment as is; tokens from other issuers may hold one.
    private static Task<Ok<RevokedResponse>> RevokeByPathAsync(string refreshToken, AuthService auth, CancellationToken cancellationToken) =>
        RevokeByQueryAsync(Uri.UnescapeDataString(refreshToken), auth, cancellationToken);

    private static string Required(string? refreshToken) =>
        string.IsNullOrEmpty(refreshToken) ? throw FerryException.BadRequest("'refreshToken' is required.") : refreshToken;

    private static AccessTokenResponse ToResponse(Grant grant, AccessTokens tokens)
    {
        var (accessToken, expiresOn) = tokens.Create(grant);
        return new AccessTokenResponse("Bearer", accessToken, tokens.LifetimeSeconds, expiresOn.ToUnixTimeSeconds(), grant.RefreshToken);
    }
}
