using System.Globalization;
using System.Security.Claims;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.WebServices;
using Ferry.Server.Auth;
using Ferry.Server.Errors;
using Ferry.Server.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.WebServices;

/// <summary>
/// Realtime web services (9.3, Services Management APIs): a model sent as multipart <c>model</c>, with
/// <c>description</c> and <c>operationId</c>, scored natively. Listed, read and deleted at /services like
/// any version. Ferry adds two optional fields, <c>maxBatchSize</c> and <c>maxBatchWaitMs</c>.
/// </summary>
internal static class RealtimeServiceEndpoints
{
    public static IEndpointRouteBuilder MapRealtimeServiceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/realtime-services").WithTags("Services Management APIs").RequirePermission(Permission.Contributor);
        group.MapPost("/{name}", PublishAsync).WithName("publishRealtimeWebServiceByName")
            .DisableAntiforgery().WithRequestContent("multipart/form-data", "model");
        group.MapPost("/{name}/{version}", PublishVersionAsync).WithName("publishRealtimeWebServiceByNameVersion")
            .DisableAntiforgery().WithRequestContent("multipart/form-data", "model");
        group.MapPatch("/{name}/{version}", PatchAsync).WithName("patchRealtimeWebServiceByNameVersion")
            .DisableAntiforgery().WithRequestContent("multipart/form-data", "model");
        return app;
    }

    private static Task<Created<string>> PublishAsync(
        string name, HttpRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken) =>
        PublishVersionAsync(name, null, request, user, catalog, cancellationToken);

    /// <summary>201 with a JSON string: where to consume the new version (the Python SDK calls <c>.json()</c> on it).</summary>
    private static async Task<Created<string>> PublishVersionAsync(
        string name, string? version, HttpRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        await using var form = await ReadAsync(request, cancellationToken);
        var service = await catalog.PublishRealtimeAsync(user.Caller(), name, version, form.Change, cancellationToken);
        var location = $"/api/{service.Name}/{service.Version}";
        return TypedResults.Created(location, location);
    }

    private static async Task<Ok<string>> PatchAsync(
        string name, string version, HttpRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        await using var form = await ReadAsync(request, cancellationToken);
        await catalog.PatchRealtimeAsync(user.Caller(), name, version, form.Change, cancellationToken);
        return TypedResults.Ok("Updated.");
    }

    /// <summary>The form's fields, and its model copied to a temporary file (moved into the blob store when accepted, else deleted).</summary>
    private static async Task<RealtimeForm> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw FerryException.BadRequest("Send multipart/form-data with the file 'model' (an ONNX model) and, optionally, 'description' and 'operationId'.");
        }

        var form = await RequestBodies.ReadFormAsync(request, cancellationToken);
        var batching = Batching(form["maxBatchSize"], form["maxBatchWaitMs"]);
        string? modelFile = null;
        if (form.Files.GetFile("model") is { } model)
        {
            modelFile = Path.Combine(Path.GetTempPath(), $"ferry-model-{Guid.NewGuid():N}.onnx");
            await using var target = File.Create(modelFile);
            await model.CopyToAsync(target, cancellationToken);
        }

        return new RealtimeForm(new RealtimeChange(modelFile, Text(form["description"]), Text(form["operationId"]), batching));
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 ? null : value.ToString();

    private static RealtimeBatching? Batching(Microsoft.Extensions.Primitives.StringValues size, Microsoft.Extensions.Primitives.StringValues wait)
    {
        if (size.Count == 0 && wait.Count == 0)
        {
            return null;
        }

        if (!int.TryParse(size.ToString() is { Length: > 0 } s ? s : "64", NumberStyles.Integer, CultureInfo.InvariantCulture, out var maxSize)
            || !double.TryParse(wait.ToString() is { Length: > 0 } w ? w : "0", NumberStyles.Float, CultureInfo.InvariantCulture, out var maxWaitMs)
            || !double.IsFinite(maxWaitMs))
        {
            throw FerryException.BadRequest($"maxBatchSize must be a whole number and maxBatchWaitMs a number of milliseconds; got '{size}' and '{wait}'.");
        }

        return maxWaitMs is < 0 or > 1000
            ? throw FerryException.BadRequest($"maxBatchWaitMs must be from 0 to 1000; got {wait}.")
            : new RealtimeBatching(maxSize, TimeSpan.FromMilliseconds(maxWaitMs));
    }

    /// <summary>The change read from a form; the temporary model file goes when the request is done (the catalog moved it if it kept it).</summary>
    private sealed record RealtimeForm(RealtimeChange Change) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (Change.ModelFile is { } file)
            {
                File.Delete(file);
            }

            return ValueTask.CompletedTask;
        }
    }
}
