using System.Security.Claims;
using Ferry.Core.Users;
using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>
/// ML Server's roles as authorization policies: a policy admits its role and every stronger one.
/// Features name these on their route groups; the default (on every API route) is any authenticated user.
/// </summary>
internal static class FerryPolicies
{
    public const string Contributor = "Contributor";
    public const string Owner = "Owner";

    public static void Add(AuthorizationOptions options)
    {
        options.DefaultPolicy = new AuthorizationPolicyBuilder(BearerAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
        options.AddPolicy(Contributor, AtLeast(Role.Contributor));
        options.AddPolicy(Owner, AtLeast(Role.Owner));
    }

    /// <summary>The caller's role, from the token it presented.</summary>
    public static Role RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<Role>(user.FindFirstValue(AccessTokens.RoleClaim), out var role) ? role : Role.Reader;

    private static AuthorizationPolicy AtLeast(Role role) =>
        new AuthorizationPolicyBuilder(BearerAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => RoleOf(context.User) >= role)
            .Build();
}
