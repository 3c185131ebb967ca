using System.Security.Claims;
using Ferry.Core.Access;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>
/// The one authorization policy: the operation's declared <see cref="Permission"/>, checked by
/// <see cref="PermissionAuthorizationHandler"/>. The default policy (every API route) is any authenticated caller.
/// Neither names a scheme: Bearer is the default one, so the caller the authentication middleware found is the
/// caller (a policy naming it would authenticate again and copy the principal on every request).
/// </summary>
internal static class FerryPolicies
{
    public const string Permission = "FerryPermission";

    public static void Add(AuthorizationOptions options)
    {
        options.DefaultPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(Permission, new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new PermissionRequirement())
            .Build());
    }

    /// <summary>The caller's ML Server role, from the token it presented; null for a service principal, which holds none.</summary>
    public static Role? ServerRoleOf(ClaimsPrincipal user) =>
        IsServicePrincipal(user) ? null : Enum.TryParse<Role>(user.FindFirstValue(AccessTokens.RoleClaim), out var role) ? role : Role.Reader;

    /// <summary>The caller's ML Server role for messages and Core's checks (a service principal counts as Reader there).</summary>
    public static Role RoleOf(ClaimsPrincipal user) => ServerRoleOf(user) ?? Role.Reader;

    /// <summary>The caller as role assignments name it.</summary>
    public static PrincipalRef PrincipalOf(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "";
        if (!IsServicePrincipal(user))
        {
            return new PrincipalRef(PrincipalKind.User, name, name);
        }

        // Both carry the prefix: the name "sp:{name}", the login "sp:{clientId}".
        var prefix = ServicePrincipalService.LoginPrefix.Length;
        return new PrincipalRef(PrincipalKind.ServicePrincipal, user.FindFirstValue(AccessTokens.LoginSessionClaim)![prefix..], name[prefix..]);
    }

    /// <summary>Client-credential tokens name their login <c>sp:{clientId}</c>; users' logins are GUIDs.</summary>
    private static bool IsServicePrincipal(ClaimsPrincipal user) =>
        user.FindFirstValue(AccessTokens.LoginSessionClaim)?.StartsWith(ServicePrincipalService.LoginPrefix, StringComparison.Ordinal) == true;
}
