using Ferry.Core.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

internal static class AuthExtensions
{
    /// <summary>Bearer authentication, the role policies and token lifetimes from <c>Ferry:Auth</c>.</summary>
    public static WebApplicationBuilder AddFerryAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(
                o => o.MaxFailedLogins >= 1 && o.MaxFailedLoginsPerAddress >= 1 && o.MaxConcurrentPasswordChecks >= 1 && o.MaxQueuedPasswordChecks >= 0,
                "Ferry:Auth: MaxFailedLogins, MaxFailedLoginsPerAddress and MaxConcurrentPasswordChecks must be at least 1, MaxQueuedPasswordChecks at least 0.")
            .ValidateOnStart();
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
