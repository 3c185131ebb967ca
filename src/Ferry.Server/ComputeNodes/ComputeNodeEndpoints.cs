using Ferry.Core.ComputeNodes;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.ComputeNodes;

/// <summary>Centralized Configuration APIs: the compute node list, managed by Owners only.</summary>
internal static class ComputeNodeEndpoints
{
    public static IEndpointRouteBuilder MapComputeNodeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/computenodes").WithTags("Centralized Configuration APIs").RequirePermission(Permission.Owner);
        group.MapGet("/", GetAsync).WithName("getComputeNodes");
        group.MapPost("/", SetAsync).WithName("setComputeNodes");
        group.MapPut("/", AddAsync).WithName("addComputeNode");
        group.MapDelete("/", RemoveAsync).WithName("removeComputeNode");
        return app;
    }

    private static async Task<Ok<GetComputeNodesResponse>> GetAsync(ComputeNodeService nodes, CancellationToken cancellationToken) =>
        TypedResults.Ok(new GetComputeNodesResponse(await nodes.ListAsync(cancellationToken)));

    private static async Task<Ok<GetComputeNodesResponse>> SetAsync(UpdateComputeNodesRequest request, ComputeNodeService nodes, CancellationToken cancellationToken)
    {
        await nodes.SetAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, cancellationToken);
    }

    private static async Task<Ok<GetComputeNodesResponse>> AddAsync(UpdateComputeNodesRequest request, ComputeNodeService nodes, CancellationToken cancellationToken)
    {
        await nodes.AddAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, cancellationToken);
    }

    // The contract sends the entries to remove in a DELETE body.
    private static async Task<Ok<GetComputeNodesResponse>> RemoveAsync(
        [FromBody] UpdateComputeNodesRequest request, ComputeNodeService nodes, CancellationToken cancellationToken)
    {
        await nodes.RemoveAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, cancellationToken);
    }
}
