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

    /// <summary>The stored list; on a web node that takes its compute nodes from Kubernetes, what Kubernetes says.</summary>
    private static async Task<Ok<GetComputeNodesResponse>> GetAsync(ComputeNodeService nodes, IServiceProvider services, CancellationToken cancellationToken) =>
        TypedResults.Ok(new GetComputeNodesResponse(
            services.GetService<ComputeNodeDirectory>() is { Source: not null } discovered
                ? [.. discovered.All.Select(n => n.Address.ToString().TrimEnd('/')).Order(StringComparer.Ordinal)]
                : await nodes.ListAsync(cancellationToken)));

    private static async Task<Ok<GetComputeNodesResponse>> SetAsync(UpdateComputeNodesRequest request, ComputeNodeService nodes, IServiceProvider services, CancellationToken cancellationToken)
    {
        ThrowIfDiscovered(services);
        await nodes.SetAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, services, cancellationToken);
    }

    private static async Task<Ok<GetComputeNodesResponse>> AddAsync(UpdateComputeNodesRequest request, ComputeNodeService nodes, IServiceProvider services, CancellationToken cancellationToken)
    {
        ThrowIfDiscovered(services);
        await nodes.AddAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, services, cancellationToken);
    }

    // The contract sends the entries to remove in a DELETE body.
    private static async Task<Ok<GetComputeNodesResponse>> RemoveAsync(
        [FromBody] UpdateComputeNodesRequest request, ComputeNodeService nodes, IServiceProvider services, CancellationToken cancellationToken)
    {
        ThrowIfDiscovered(services);
        await nodes.RemoveAsync(request.Entries, cancellationToken);
        return await GetAsync(nodes, services, cancellationToken);
    }

    private static void ThrowIfDiscovered(IServiceProvider services)
    {
        if (services.GetService<ComputeNodeDirectory>() is { Source: { } source })
        {
            throw Core.Errors.FerryException.Conflict($"The compute nodes are those of {source} (Ferry:Node:KubernetesService): scale that Deployment instead of editing the list.");
        }
    }
}
