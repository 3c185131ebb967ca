using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Pools;
using Ferry.Execution.Realtime;
using Ferry.Server.ComputeNodes.Internal;
using Microsoft.Extensions.Options;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// A web node's <see cref="IServiceRunner"/>: each call goes to a compute node holding a warm worker
/// for its version (<see cref="ComputeNodeDirectory.Pick"/>), which runs it on its own pools with the
/// definition sent along. A node that refuses the connection is skipped and the call goes to the next;
/// a node that dies while a call runs fails that call (it may have run). ONNX models are scored here,
/// in-process: they need no worker.
/// </summary>
internal sealed partial class RemoteServiceRunner(
    ComputeNodeDirectory nodes, RealtimeScorer realtime, IOptions<ServicePoolOptions> poolOptions, ILogger<RemoteServiceRunner> logger) : IServiceRunner
{
    public Task<ExecutionResult> RunAsync(ServiceDefinition service, ServiceCall request, CancellationToken cancellationToken) =>
        service.Entry is OnnxModelEntry model
            ? realtime.ScoreAsync(service, model, request, cancellationToken)
            : SendAsync(service, "services/run", new RunCallRequest(WireService.From(service), request), InternalJson.Default.RunCallRequest, InternalJson.Default.WireResult, r => r.ToResult(), cancellationToken);

    public async Task<IReadOnlyList<ExecutionResult?>> RunManyAsync(ServiceDefinition service, IReadOnlyList<ServiceCall> requests, CancellationToken cancellationToken)
    {
        if (service.Entry is OnnxModelEntry model)
        {
            return await realtime.ScoreManyAsync(service, model, requests, cancellationToken);
        }

        return await SendAsync(
            service, "services/run-many", new RunManyRequest(WireService.From(service), requests), InternalJson.Default.RunManyRequest, InternalJson.Default.RunManyResponse,
            r => (IReadOnlyList<ExecutionResult?>)[.. r.Results.Select(x => x?.ToResult())], cancellationToken);
    }

    public void Refresh(ServiceDefinition service)
    {
        if (service.Entry is OnnxModelEntry model)
        {
            realtime.Refresh(service, model);
            return;
        }

        Tell("services/refresh", new RefreshRequest(WireService.From(service)), InternalJson.Default.RefreshRequest);
    }

    public void Remove(string name, string version)
    {
        realtime.Remove(name, version);
        Tell("services/remove", new RemoveRequest(name, version), InternalJson.Default.RemoveRequest);
    }

    /// <summary>Success once every compute node up holds the sized pool at its initial size (each node keeps one).</summary>
    public string PoolStatus(ServiceDefinition service)
    {
        if (service.Entry is OnnxModelEntry)
        {
            return "Success";
        }

        if (service.Pool is null)
        {
            return "NotFound";
        }

        var up = nodes.Up;
        return up.Count > 0 && up.All(n => n.Report!.Pools.Any(p => p.Name == service.Name && p.Version == service.Version && p.Revision >= service.Revision && p.Status == "Success"))
            ? "Success"
            : "Pending";
    }

    public Task EnsureRuntimeAsync(RuntimeType runtime)
    {
        if (runtime == RuntimeType.Realtime)
        {
            throw FerryException.BadRequest("The Realtime runtime runs no code: publish a model with POST /realtime-services/{name}/{version}.");
        }

        var reports = nodes.Up.Select(n => n.Report!).ToList();
        if (reports.Count == 0)
        {
            throw ComputeNodeDirectory.NoneUp();
        }

        if (reports.Any(r => r.Runtimes.TryGetValue(runtime, out var problem) && problem is null))
        {
            return Task.CompletedTask;
        }

        var reason = reports.Select(r => r.Runtimes.GetValueOrDefault(runtime)).FirstOrDefault(p => p is not null) ?? "it is not known there";
        throw FerryException.BadRequest($"The {runtime} runtime is not installed on any compute node: {reason}");
    }

    public void CheckModel(string modelFile) => RealtimeScorer.Check(modelFile);

    public int MaxWorkersPerService => Math.Min(poolOptions.Value.MaxResidentWorkers, poolOptions.Value.MaxResidentWorkersPerUser);

    private async Task<TResult> SendAsync<TRequest, TAnswer, TResult>(
        ServiceDefinition service, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TAnswer> answerType, Func<TAnswer, TResult> convert, CancellationToken cancellationToken)
    {
        var tried = new List<ComputeNode>();
        while (true)
        {
            var node = nodes.Pick(service.Name, service.Version, tried) ?? throw ComputeNodeDirectory.NoneUp();
            using var call = node.BeginCall();
            HttpResponseMessage response;
            try
            {
                response = await nodes.Client.PostAsync(new Uri(node.Address, InternalEndpoints.Prefix.TrimStart('/') + "/" + path), Sized(body, requestType), cancellationToken);
            }
            catch (HttpRequestException refused) when (refused.HttpRequestError == HttpRequestError.ConnectionError)
            {
                // Nothing reached it: the call goes to the next node.
                nodes.MarkDown(node);
                tried.Add(node);
                continue;
            }
            catch (HttpRequestException lost)
            {
                throw Lost(node, lost);
            }

            using (response)
            {
                try
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        throw await FailureOfAsync(node, response, cancellationToken);
                    }

                    var answer = await response.Content.ReadFromJsonAsync(answerType, cancellationToken) ?? throw new JsonException("an empty answer");
                    return convert(answer);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
                {
                    throw Lost(node, e);
                }
            }
        }
    }

    private FerryException Lost(ComputeNode node, Exception e)
    {
        LogCallLost(logger, node.Address, e.Message);
        return new FerryException(
            FerryErrorKind.Unavailable, "The compute node running this call stopped answering while it ran; the call may or may not have run. Send it again.", TimeSpan.FromSeconds(1));
    }

    /// <summary>The compute node's refusal as this node's: its status and message (a saturated pool's 503 with its Retry-After, say).</summary>
    private static async Task<Exception> FailureOfAsync(ComputeNode node, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string message;
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            message = body.RootElement.GetProperty("message").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            message = "";
        }

        FerryErrorKind? kind = response.StatusCode switch
        {
            HttpStatusCode.BadRequest => FerryErrorKind.BadRequest,
            HttpStatusCode.NotFound => FerryErrorKind.NotFound,
            HttpStatusCode.Conflict => FerryErrorKind.Conflict,
            HttpStatusCode.Gone => FerryErrorKind.Gone,
            HttpStatusCode.RequestEntityTooLarge => FerryErrorKind.PayloadTooLarge,
            HttpStatusCode.TooManyRequests => FerryErrorKind.TooManyRequests,
            HttpStatusCode.ServiceUnavailable => FerryErrorKind.Unavailable,
            _ => null,
        };
        return kind is { } known && message.Length > 0
            ? new FerryException(known, message, response.Headers.RetryAfter?.Delta)
            : new InvalidOperationException($"Compute node {node.Address} answered {(int)response.StatusCode}: {message}");
    }

    /// <summary>Tells every compute node up, without waiting: a node that misses it catches up on the version's next call.</summary>
    private void Tell<T>(string path, T body, JsonTypeInfo<T> type)
    {
        foreach (var node in nodes.Up)
        {
            _ = TellAsync(node, path, body, type);
        }
    }

    private async Task TellAsync<T>(ComputeNode node, string path, T body, JsonTypeInfo<T> type)
    {
        try
        {
            using var response = await nodes.Client.PostAsync(new Uri(node.Address, InternalEndpoints.Prefix.TrimStart('/') + "/" + path), Sized(body, type));
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            LogTellFailed(logger, path, node.Address, e.Message);
        }
    }

    /// <summary>The body serialized up front: sent with its length in one write, not chunked as it is serialized.</summary>
    private static ByteArrayContent Sized<T>(T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call on compute node {Address} was lost while it ran: {Reason}")]
    private static partial void LogCallLost(ILogger logger, Uri address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} did not reach compute node {Address}: {Reason}")]
    private static partial void LogTellFailed(ILogger logger, string path, Uri address, string reason);
}
