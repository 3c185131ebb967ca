using System.Security.Claims;
using Ferry.Core.Access;
using Ferry.Core.Arm;
using Ferry.Core.ServicePrincipals;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>
/// The ARM host of the Azure-ML walk (<c>/subscriptions/...</c>): every call needs a supported
/// <c>api-version</c> and a subscription the caller holds a role on; errors come in ARM's envelope.
/// </summary>
internal static class ArmEndpoints
{
    public static IEndpointRouteBuilder MapArmEndpoints(this IEndpointRouteBuilder app)
    {
        // The subscription in the path was checked with the caller's role on it, before this runs.
        var arm = app.MapGroup("/subscriptions").WithTags("Azure ML: ARM").AddEndpointFilter((context, next) =>
        {
            ApiVersions.Check(context.HttpContext);
            return next(context);
        });
        arm.MapGet("/", ListSubscriptionsAsync).WithName("Subscriptions_List").RequirePermission(Permission.Arm($"{ArmActions.Subscriptions}/read"));
        arm.MapGet("/{subscriptionId}", GetSubscriptionAsync).WithName("Subscriptions_Get").RequirePermission(Permission.Arm($"{ArmActions.Subscriptions}/read"));
        var groups = arm.MapGroup("/{subscriptionId}/resourcegroups");
        groups.MapGet("/", ListGroupsAsync).WithName("ResourceGroups_List").RequirePermission(Permission.Arm($"{ArmActions.ResourceGroups}/read"));
        groups.MapPut("/{resourceGroupName}", PutGroupAsync).WithName("ResourceGroups_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.ResourceGroups}/write"));
        groups.MapGet("/{resourceGroupName}", GetGroupAsync).WithName("ResourceGroups_Get").RequirePermission(Permission.Arm($"{ArmActions.ResourceGroups}/read"));
        groups.MapDelete("/{resourceGroupName}", DeleteGroupAsync).WithName("ResourceGroups_Delete").RequirePermission(Permission.Arm($"{ArmActions.ResourceGroups}/delete"));
        arm.MapWorkspaceEndpoints(app);
        arm.MapComputeEndpoints();
        arm.MapMfeEndpoints();
        arm.MapOnlineEndpointEndpoints(app);
        return app;
    }

    private static async Task<Ok<ArmList<SubscriptionResponse>>> ListSubscriptionsAsync(
        ClaimsPrincipal user, RoleAssignmentService roles, ServicePrincipalService principals, CancellationToken cancellationToken)
    {
        var tenant = await principals.TenantIdAsync(cancellationToken);
        var visible = await roles.VisibleSubscriptionsAsync(FerryPolicies.PrincipalOf(user), FerryPolicies.ServerRoleOf(user), cancellationToken);
        return TypedResults.Ok(new ArmList<SubscriptionResponse>([.. visible.Select(s => Response(s, tenant))]));
    }

    private static async Task<Ok<SubscriptionResponse>> GetSubscriptionAsync(
        string subscriptionId, SubscriptionService subscriptions, ServicePrincipalService principals, CancellationToken cancellationToken) =>
        TypedResults.Ok(Response(await subscriptions.GetAsync(subscriptionId, cancellationToken), await principals.TenantIdAsync(cancellationToken)));

    private static async Task<Ok<ArmList<ResourceGroupResponse>>> ListGroupsAsync(string subscriptionId, ResourceGroupService groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ResourceGroupResponse>([.. (await groups.ListAsync(subscriptionId, cancellationToken)).Select(g => Response(subscriptionId, g))]));

    private static async Task<Results<Created<ResourceGroupResponse>, Ok<ResourceGroupResponse>>> PutGroupAsync(
        string subscriptionId, string resourceGroupName, ResourceGroupRequest? request, ResourceGroupService groups, CancellationToken cancellationToken)
    {
        var (group, created) = await groups.PutAsync(subscriptionId, resourceGroupName, request?.Location, request?.Tags, cancellationToken);
        var body = Response(subscriptionId, group);
        return created ? TypedResults.Created(body.Id, body) : TypedResults.Ok(body);
    }

    private static async Task<Ok<ResourceGroupResponse>> GetGroupAsync(
        string subscriptionId, string resourceGroupName, ResourceGroupService groups, CancellationToken cancellationToken) =>
        TypedResults.Ok(Response(subscriptionId, await groups.GetAsync(subscriptionId, resourceGroupName, cancellationToken)));

    private static async Task<Ok> DeleteGroupAsync(string subscriptionId, string resourceGroupName, WorkspaceRemoval removal, CancellationToken cancellationToken)
    {
        await removal.DeleteResourceGroupAsync(subscriptionId, resourceGroupName, cancellationToken);
        return TypedResults.Ok();
    }

    private static SubscriptionResponse Response(Subscription s, string tenantId) =>
        new($"/subscriptions/{s.SubscriptionId}", s.SubscriptionId, tenantId, s.DisplayName, SubscriptionState.Enabled);

    private static ResourceGroupResponse Response(string subscriptionId, ResourceGroup group) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{group.Name}", group.Name, "Microsoft.Resources/resourceGroups", group.Location, group.Tags, new ProvisioningProperties(ProvisioningState.Succeeded));
}
