using System.Text.Json;
using Ferry.Core.Execution;
using Ferry.Core.Nodes;
using Ferry.Core.Sessions;
using Ferry.Execution.Pools;
using Ferry.Execution.Runtimes;
using Ferry.Server.ComputeNodes.Internal;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// A compute node's internal API, mapped on compute nodes only and admitted by <see cref="ComputeNodeGuard"/>:
/// service calls and batch chunks on its pools, pool warm-up and removal, and its health report.
/// Not in the OpenAPI document: no client calls it.
/// </summary>
internal static class InternalEndpoints
{
    public const string Prefix = "/internal/v1";

    public static IEndpointRouteBuilder MapInternalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/node", ReportAsync);
        group.MapPost("/services/run", RunAsync);
        group.MapPost("/services/run-many", RunManyAsync);
        group.MapPost("/services/refresh", RefreshAsync);
        group.MapPost("/services/remove", RemoveAsync);
        return app;
    }

    private static async Task<IResult> ReportAsync(ServicePoolManager pools, SessionService sessions, NodeIdentity node, RuntimeCatalog runtimes)
    {
        var problems = new Dictionary<RuntimeType, string?>();
        foreach (var runtime in runtimes.All)
        {
            var info = await runtime.GetAsync();
            problems[runtime.Type] = info.IsUsable ? null : info.Problem ?? "not found";
        }

        return TypedResults.Json(new NodeReport(node.Instance, node.Url, sessions.Count, pools.Report(), problems), InternalJson.Default.NodeReport);
    }

    private static async Task<IResult> RunAsync(HttpContext context, ServicePoolManager pools)
    {
        var request = await ReadAsync(context, InternalJson.Default.RunCallRequest);
        var result = await pools.RunAsync(request.Service.ToDefinition(), request.Call, context.RequestAborted);
        return TypedResults.Json(WireResult.From(result), InternalJson.Default.WireResult);
    }

    private static async Task<IResult> RunManyAsync(HttpContext context, ServicePoolManager pools)
    {
        var request = await ReadAsync(context, InternalJson.Default.RunManyRequest);
        var results = await pools.RunManyAsync(request.Service.ToDefinition(), request.Calls, context.RequestAborted);
        return TypedResults.Json(new RunManyResponse([.. results.Select(r => r is null ? null : WireResult.From(r))]), InternalJson.Default.RunManyResponse);
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, ServicePoolManager pools)
    {
        pools.Refresh((await ReadAsync(context, InternalJson.Default.RefreshRequest)).Service.ToDefinition());
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, ServicePoolManager pools)
    {
        var request = await ReadAsync(context, InternalJson.Default.RemoveRequest);
        pools.Remove(request.Name, request.Version);
        return TypedResults.NoContent();
    }

    private static async Task<T> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted)
                ?? throw Core.Errors.FerryException.BadRequest("The internal request has no body.");
        }
        catch (JsonException e)
        {
            throw Core.Errors.FerryException.BadRequest($"The internal request is not a {typeof(T).Name}: {e.Message}");
        }
    }
}
