using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Ferry.Core.Batches;
using Ferry.Core.Errors;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.WebServices;

/// <summary>Asynchronous batch consumption of a service version: the six operations of ML Server's per-service swagger.</summary>
internal static class BatchEndpoints
{
    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/{name}/{version}/batch").WithTags("Service Consumption APIs").RequirePermission(Permission.Reader);
        group.MapPost("/", StartAsync).WithName("StartBatchExecution");
        group.MapGet("/", ListAsync).WithName("GetBatchExecutions");
        group.MapGet("/{executionId}", StatusAsync).WithName("GetBatchExecutionStatus");
        group.MapDelete("/{executionId}", CancelAndDeleteAsync).WithName("CancelAndDeleteBatchExecution");
        group.MapGet("/{executionId}/{index}/files", FilesAsync).WithName("GetBatchExecutionFiles");
        group.MapGet("/{executionId}/{index}/files/{fileName}", FileAsync).WithName("GetBatchExecutionFile");
        return app;
    }

    /// <summary>202 with the id under both spellings: the swagger's <c>batchExecutionId</c> and the Python client's <c>BatchExecutionId</c>.</summary>
    private static async Task<Accepted<JsonObject>> StartAsync(
        string name, string version, JsonNode? body, string? parallelCount, ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken)
    {
        var batch = await batches.StartAsync(user.Caller(), name, version, body, Whole("parallelCount", parallelCount), cancellationToken);
        return TypedResults.Accepted(
            $"/api/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(version)}/batch/{batch.Id}",
            new JsonObject { ["name"] = name, ["version"] = version, ["batchExecutionId"] = batch.Id, ["BatchExecutionId"] = batch.Id });
    }

    private static async Task<Ok<IReadOnlyList<string>>> ListAsync(
        string name, string version, ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await batches.ListAsync(user.Caller(), name, version, cancellationToken));

    /// <summary>The swagger names the flag <c>showPartialResults</c>; the Python client sends <c>showPartialResult</c>: both count.</summary>
    private static async Task<Ok<BatchWebServiceResult>> StatusAsync(
        string name, string version, string executionId, string? showPartialResults, string? showPartialResult,
        ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken)
    {
        var partial = Flag("showPartialResults", showPartialResults) || Flag("showPartialResult", showPartialResult);
        var (batch, results) = await batches.StatusAsync(user.Caller(), name, version, executionId, partial, cancellationToken);
        var state = batch.State switch
        {
            BatchState.Pending => "pending",
            BatchState.InProgress => "inProgress",
            BatchState.Complete => "complete",
            _ => "failed",
        };
        return TypedResults.Ok(new BatchWebServiceResult(state, batch.CompletedItemCount, batch.TotalItemCount, batch.ParallelCount, results, batch.Error));
    }

    private static async Task<Ok<IReadOnlyList<string>>> CancelAndDeleteAsync(
        string name, string version, string executionId, ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await batches.CancelAndDeleteAsync(user.Caller(), name, version, executionId, cancellationToken));

    private static async Task<Ok<IReadOnlyList<string>>> FilesAsync(
        string name, string version, string executionId, string index, ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken) =>
        TypedResults.Ok(await batches.FilesAsync(user.Caller(), name, version, executionId, Index(index), cancellationToken));

    private static async Task<FileContentHttpResult> FileAsync(
        string name, string version, string executionId, string index, string fileName, ClaimsPrincipal user, BatchService batches, CancellationToken cancellationToken) =>
        TypedResults.File(await batches.FileAsync(user.Caller(), name, version, executionId, Index(index), fileName, cancellationToken), "application/octet-stream", fileName);

    private static int Index(string index) =>
        int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw FerryException.BadRequest($"The record index must be a whole number from 0; got '{index}'.");

    private static int? Whole(string name, string? text) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw FerryException.BadRequest($"'{name}' must be a whole number; got '{text}'.");

    private static bool Flag(string name, string? text) =>
        text is null ? false
        : bool.TryParse(text, out var value) ? value
        : throw FerryException.BadRequest($"'{name}' must be true or false; got '{text}'.");
}
