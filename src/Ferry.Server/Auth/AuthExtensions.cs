using Ferry.Core.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

internal static class AuthExtensions
{
    /// <summary>Bearer authentication, the role policies and token lifetimes from <c>Ferry:Auth</c>.</summary>
    public static WebApplicationBuilder AddFerryAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, FerryAuthorizationResultHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, PermissionAuthorizationHandler>();
        builder.Services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerAuthenticationHandler>(
                BearerAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(FerryPolicies.Add);
        return builder;
    }
}
