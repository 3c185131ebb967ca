using Ferry.Core.Access;
using Ferry.Core.Arm;
using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>
/// Checks the permission the endpoint declares, before anything reads the request body. ML Server
/// operations compare roles; Azure-ML operations look up the caller's role on the subscription in
/// the path (none: ARM's 404 <c>SubscriptionNotFound</c>; too weak: 403 <c>AuthorizationFailed</c>),
/// and everything below a resource group must be in that subscription.
/// </summary>
internal sealed class PermissionAuthorizationHandler(RoleAssignmentService roles, ResourceGroupService groups)
    : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.Resource is not HttpContext http || context.User.Identity?.IsAuthenticated != true)
        {
            return; // the authentication requirement answers 401
        }

        var permission = http.GetEndpoint()?.Metadata.GetMetadata<Permission>();
        var failure = permission switch
        {
            null => Deny(StatusCodes.Status403Forbidden, "Forbidden", "This operation declares no permission, so nobody may call it."),
            { Plane: PermissionPlane.Public or PermissionPlane.SignedIn } => null,
            { Plane: PermissionPlane.MLServer } => CheckServerRole(context, permission),
            _ => await CheckSubscriptionAsync(context, http, permission),
        };
        if (failure is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(failure);
        }

        PermissionFailure Deny(int status, string code, string message) => new(this, status, code, message);
    }

    private PermissionFailure? CheckServerRole(AuthorizationHandlerContext context, Permission permission)
    {
        var role = FerryPolicies.ServerRoleOf(context.User);
        if (role is null)
        {
            return new(this, StatusCodes.Status403Forbidden, "Forbidden",
                $"Service principals act on the Azure-ML plane only; this ML Server operation needs a user with the {permission.Role} role or a stronger one.");
        }

        return role >= permission.Role ? null : new(this, StatusCodes.Status403Forbidden, "Forbidden",
            $"This operation needs the {permission.Role} role or a stronger one; your role is {role}.");
    }

    private async Task<PermissionFailure?> CheckSubscriptionAsync(AuthorizationHandlerContext context, HttpContext http, Permission permission)
    {
        if (http.Request.RouteValues["subscriptionId"] is not string subscriptionId)
        {
            return null; // listing subscriptions: the list holds only those the caller may see
        }

        var principal = FerryPolicies.PrincipalOf(context.User);
        var cancellationToken = http.RequestAborted;
        var role = await roles.RoleOnAsync(principal, FerryPolicies.ServerRoleOf(context.User), subscriptionId, cancellationToken);
        if (role is null)
        {
            return new(this, StatusCodes.Status404NotFound, "SubscriptionNotFound", $"The subscription '{subscriptionId}' could not be found.");
        }

        if (role < permission.Role)
        {
            var path = http.Request.Path.Value ?? "";
            var scope = path[Math.Max(0, path.IndexOf("/subscriptions/", StringComparison.OrdinalIgnoreCase))..];
            return new(this, StatusCodes.Status403Forbidden, "AuthorizationFailed",
                $"The client '{principal.DisplayName}' with object id '{principal.Id}' does not have authorization to perform action '{permission.Action}' over scope '{scope}' "
                + $"or the scope is invalid. If access was recently granted, please refresh your credentials. (Its role on the subscription is {role}; the action needs {permission.Role}.)");
        }

        // Below a resource group (its workspace list, its workspaces and their data planes) the group must be this
        // subscription's; the group's own operations (PUT creates it) look it up in the subscription themselves.
        var group = http.Request.RouteValues["resourceGroupName"] ?? http.Request.RouteValues["resourceGroup"];
        var below = http.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern }
            || !pattern.TrimEnd('/').EndsWith("{resourceGroupName}", StringComparison.Ordinal);
        if (below && group is string name && await groups.FindAsync(subscriptionId, name, cancellationToken) is null)
        {
            return new(this, StatusCodes.Status404NotFound, "ResourceGroupNotFound", $"Resource group '{name}' could not be found.");
        }

        return null;
    }
}
