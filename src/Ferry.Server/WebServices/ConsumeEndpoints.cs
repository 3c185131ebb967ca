using System.Diagnostics;
using System.Text.Json.Nodes;
using Ferry.Core.WebServices;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.WebServices;

/// <summary>Service Consumption APIs: call a published version, read its Swagger document.</summary>
internal static class ConsumeEndpoints
{
    public static IEndpointRouteBuilder MapConsumeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Service Consumption APIs").RequirePermission(Permission.Reader);
        group.MapPost("/{name}/{version}", ConsumeAsync).WithName("ConsumeWebService");
        group.MapGet("/{name}/{version}/swagger.json", Swagger).WithName("GetWebServiceSwagger");
        return app;
    }

    /// <summary>
    /// 200 whether or not the service's code succeeded: clients re-send a 500, re-running the code.
    /// <c>Server-Timing</c> says where the time went: waiting (queue), running on a worker or in a batch, in all.
    /// </summary>
    private static async Task<Ok<WebServiceResult>> ConsumeAsync(
        string name, string version, JsonNode? body, HttpResponse response, WebServiceConsumer consumer, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await consumer.ConsumeAsync(name, version, body, cancellationToken);
        response.Headers["Server-Timing"] = ServerTiming.Of(result.Timing, Stopwatch.GetElapsedTime(started));
        return TypedResults.Ok(new WebServiceResult(
            result.Success,
            result.ErrorMessage,
            result.ConsoleOutput,
            result.ChangedFiles,
            new JsonObject(result.OutputParameters.Select(o => KeyValuePair.Create(o.Name, o.Value))),
            result.OutputFiles));
    }

    private static Ok<JsonObject> Swagger(string name, string version, WebServiceCatalog catalog) =>
        TypedResults.Ok(ServiceSwagger.For(catalog.Get(name, version)));
}
