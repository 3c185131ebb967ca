using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

internal static class AuthExtensions
{
    /// <summary>Bearer authentication and the role policies (<c>Ferry:Auth</c> is bound by <c>AddFerryCore</c>).</summary>
    public static WebApplicationBuilder AddFerryAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<UrlSigner>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, FerryAuthorizationResultHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, PermissionAuthorizationHandler>();
        builder.Services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(
                BearerAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(FerryPolicies.Add);
        return builder;
    }
}
