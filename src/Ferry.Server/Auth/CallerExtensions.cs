using System.Security.Claims;
using Ferry.Core.Errors;
using Ferry.Core.WebServices;

namespace Ferry.Server.Auth;

/// <summary>The authenticated caller as the application services see it.</summary>
internal static class CallerExtensions
{
    /// <summary>The user's name: the owner of what they create.</summary>
    public static string Owner(this ClaimsPrincipal user) => user.Identity?.Name ?? throw FerryException.Unauthorized("No user.");

    public static Caller Caller(this ClaimsPrincipal user) => new(user.Owner(), FerryPolicies.RoleOf(user));
}
