using System.Text.Json.Nodes;
using Ferry.Core.Arm;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>Computes of a workspace on the ARM host.</summary>
internal static class ComputeEndpoints
{
    public static void MapComputeEndpoints(this RouteGroupBuilder arm)
    {
        var computes = arm.MapGroup($"/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/{ArmLinks.Provider}/workspaces/{{workspaceName}}/computes");
        computes.MapGet("/", ListAsync).WithName("MachineLearningCompute_ListByWorkspace").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/computes/read"));
        computes.MapPut("/{computeName}", PutAsync).WithName("MachineLearningCompute_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/computes/write"));
        computes.MapGet("/{computeName}", GetAsync).WithName("MachineLearningCompute_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/computes/read"));
        computes.MapDelete("/{computeName}", DeleteAsync).WithName("MachineLearningCompute_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/computes/delete"));
    }

    private static async Task<Results<Created<ComputeResponse>, Ok<ComputeResponse>>> PutAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string computeName, ComputeRequest? request, HttpContext context, ComputeService computes, CancellationToken cancellationToken)
    {
        var (compute, operation) = await computes.PutAsync(resourceGroupName, workspaceName, computeName, request?.Location, request?.Properties, cancellationToken);
        if (operation is null)
        {
            return TypedResults.Ok(Shape(subscriptionId, compute));
        }

        ArmLinks.AsyncOperation(context, subscriptionId, compute.Location, operation.Id);
        return TypedResults.Created((string?)null, Shape(subscriptionId, compute));
    }

    private static async Task<Ok<ComputeResponse>> GetAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string computeName, ComputeService computes, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await computes.GetAsync(resourceGroupName, workspaceName, computeName, cancellationToken)));

    private static async Task<Ok<ArmList<ComputeResponse>>> ListAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, ComputeService computes, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ComputeResponse>([.. (await computes.ListAsync(resourceGroupName, workspaceName, cancellationToken)).Select(c => Shape(subscriptionId, c))]));

    private static async Task<Ok> DeleteAsync(
        string resourceGroupName, string workspaceName, string computeName, string? underlyingResourceAction, ComputeService computes, CancellationToken cancellationToken)
    {
        await computes.DeleteAsync(resourceGroupName, workspaceName, computeName, underlyingResourceAction, cancellationToken);
        return TypedResults.Ok();
    }

    private static ComputeResponse Shape(string subscriptionId, Compute c)
    {
        var inner = (JsonObject)c.Properties.DeepClone();
        inner["allocationState"] = "Steady";
        inner["currentNodeCount"] = 0;
        inner["targetNodeCount"] = 0;
        return new ComputeResponse(
            $"/subscriptions/{subscriptionId}/resourceGroups/{c.ResourceGroup}/{ArmLinks.Provider}/workspaces/{c.Workspace}/computes/{c.Name}",
            c.Name,
            "Microsoft.MachineLearningServices/workspaces/computes",
            c.Location,
            new ComputeProperties(
                c.ComputeType,
                c.Location,
                c.Description,
                Enum.Parse<ProvisioningState>(c.ProvisioningState),
                c.CreatedAt,
                c.ModifiedAt,
                ResourceId: null,
                ProvisioningErrors: null,
                IsAttachedCompute: false,
                inner));
    }
}
