using Ferry.Core.Arm;
using Ferry.Core.ServicePrincipals;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>
/// Workspaces on the ARM host, their long-running operations, and the discovery document that
/// points every data-plane key at this server.
/// </summary>
internal static class WorkspaceEndpoints
{
    public static IEndpointRouteBuilder MapWorkspaceEndpoints(this RouteGroupBuilder arm, IEndpointRouteBuilder app)
    {
        var workspaces = arm.MapGroup($"/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/{ArmLinks.Provider}/workspaces");
        workspaces.MapGet("/", ListByGroupAsync).WithName("Workspaces_ListByResourceGroup").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/read"));
        workspaces.MapPut("/{workspaceName}", PutAsync).WithName("Workspaces_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/write"));
        workspaces.MapGet("/{workspaceName}", GetAsync).WithName("Workspaces_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/read"));
        workspaces.MapPatch("/{workspaceName}", PatchAsync).WithName("Workspaces_Update").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/write"));
        workspaces.MapDelete("/{workspaceName}", DeleteAsync).WithName("Workspaces_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/delete"));
        arm.MapGet($"/{{subscriptionId}}/{ArmLinks.Provider}/workspaces", ListBySubscriptionAsync).WithName("Workspaces_ListBySubscription").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/read"));
        arm.MapGet($"/{{subscriptionId}}/{ArmLinks.Provider}/locations/{{location}}/operationsStatus/{{operationId}}", OperationStatusAsync)
            .WithName("Operations_GetStatus").RequirePermission(Permission.Arm($"{ArmActions.Locations}/operationsstatus/read"));
        arm.MapGet($"/{{subscriptionId}}/{ArmLinks.Provider}/locations/{{location}}/workspaceOperationResults/{{operationId}}", OperationResultAsync)
            .WithName("WorkspaceOperations_GetResult").RequirePermission(Permission.Arm($"{ArmActions.Locations}/workspaceOperationResults/read"));
        app.MapGet("/discovery", Discovery).WithName("getDiscovery").WithTags("Azure ML: discovery").RequirePermission(Permission.Public);
        return app;
    }

    private static async Task<Results<Created<WorkspaceResponse>, Ok<WorkspaceResponse>>> PutAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, WorkspaceRequest? request, HttpContext context, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken)
    {
        var (workspace, operation) = await workspaces.PutAsync(resourceGroupName, workspaceName, request?.ToChange() ?? new WorkspaceChange(null, null, null, null, null), cancellationToken);
        var body = Shape(context, subscriptionId, workspace, await principals.TenantIdAsync(cancellationToken));
        if (operation is null)
        {
            return TypedResults.Ok(body);
        }

        // Poll either header until provisioningState is Succeeded (ARM's long-running pattern).
        ArmLinks.AsyncOperation(context, subscriptionId, workspace.Location, operation.Id);
        context.Response.Headers.Location = ArmLinks.Operation(context, subscriptionId, workspace.Location, "workspaceOperationResults", operation.Id);
        return TypedResults.Created((string?)null, body);
    }

    private static async Task<Ok<WorkspaceResponse>> GetAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, HttpContext context, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(context, subscriptionId, await workspaces.GetAsync(resourceGroupName, workspaceName, cancellationToken), await principals.TenantIdAsync(cancellationToken)));

    private static async Task<Ok<WorkspaceResponse>> PatchAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, WorkspaceRequest request, HttpContext context, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(context, subscriptionId, await workspaces.PatchAsync(resourceGroupName, workspaceName, request.ToChange(), cancellationToken), await principals.TenantIdAsync(cancellationToken)));

    private static async Task<Results<Ok, NoContent>> DeleteAsync(string resourceGroupName, string workspaceName, WorkspaceRemoval removal, CancellationToken cancellationToken) =>
        await removal.DeleteWorkspaceAsync(resourceGroupName, workspaceName, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    private static async Task<Ok<ArmList<WorkspaceResponse>>> ListByGroupAsync(
        string subscriptionId, string resourceGroupName, HttpContext context, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken) =>
        await ListAsync(subscriptionId, await workspaces.ListAsync(resourceGroupName, cancellationToken), context, principals, cancellationToken);

    private static async Task<Ok<ArmList<WorkspaceResponse>>> ListBySubscriptionAsync(
        string subscriptionId, HttpContext context, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken) =>
        await ListAsync(subscriptionId, await workspaces.ListInSubscriptionAsync(subscriptionId, cancellationToken), context, principals, cancellationToken);

    private static async Task<Ok<ArmList<WorkspaceResponse>>> ListAsync(
        string subscriptionId, IReadOnlyList<Workspace> list, HttpContext context, ServicePrincipalService principals, CancellationToken cancellationToken)
    {
        var tenant = await principals.TenantIdAsync(cancellationToken);
        return TypedResults.Ok(new ArmList<WorkspaceResponse>([.. list.Select(w => Shape(context, subscriptionId, w, tenant))]));
    }

    /// <summary>The <c>Azure-AsyncOperation</c> resource: always 200, with the status.</summary>
    private static async Task<Ok<OperationStatusResponse>> OperationStatusAsync(string subscriptionId, string operationId, HttpContext context, ArmOperationService operations, CancellationToken cancellationToken)
    {
        var operation = await operations.GetAsync(subscriptionId, operationId, cancellationToken);
        return TypedResults.Ok(new OperationStatusResponse(
            $"{context.Request.Path}",
            operation.Id,
            Enum.Parse<OperationStatus>(operation.Status),
            operation.StartedAt,
            operation.EndedAt,
            operation.Error is { } error ? new OperationError("ProvisioningFailed", error) : null));
    }

    /// <summary>The <c>Location</c> resource: 202 while running, then the workspace as the PUT would have answered.</summary>
    private static async Task<IResult> OperationResultAsync(
        string subscriptionId, string operationId, HttpContext context, ArmOperationService operations, WorkspaceService workspaces, ServicePrincipalService principals, CancellationToken cancellationToken)
    {
        var operation = await operations.GetAsync(subscriptionId, operationId, cancellationToken);
        if (!operation.IsDone)
        {
            context.Response.Headers.Location = context.Request.GetEncodedPathAndQuery();
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Accepted((string?)null);
        }

        var parts = operation.ResourceId.Split('/');
        var workspace = await workspaces.GetAsync(parts[0], parts[1], cancellationToken);
        return TypedResults.Ok(Shape(context, subscriptionId, workspace, await principals.TenantIdAsync(cancellationToken)));
    }

    /// <summary>Every key of the discovery document points at this server: it plays every host of the walk.</summary>
    private static Ok<DiscoveryResponse> Discovery(HttpContext context) => TypedResults.Ok(DiscoveryResponse.AllAt(ArmLinks.BaseUrl(context)));

    private static WorkspaceResponse Shape(HttpContext context, string subscriptionId, Workspace w, string tenantId) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{w.ResourceGroup}/{ArmLinks.Provider}/workspaces/{w.Name}",
        w.Name,
        "Microsoft.MachineLearningServices/workspaces",
        w.Location,
        w.Tags,
        new WorkspaceSkuResponse(w.Sku, w.Sku),
        new WorkspaceIdentity("SystemAssigned", w.WorkspaceId, tenantId),
        new WorkspaceProperties(
            w.FriendlyName,
            w.Description,
            w.CreatedAt,
            StorageAccount: null,
            ContainerRegistry: null,
            KeyVault: null,
            ApplicationInsights: null,
            HbiWorkspace: false,
            w.WorkspaceId,
            $"{ArmLinks.BaseUrl(context)}/discovery",
            Enum.Parse<ProvisioningState>(w.ProvisioningState)));
}
