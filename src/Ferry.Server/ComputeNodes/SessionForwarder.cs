using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Ferry.Core.Sessions;
using Ferry.Server.Auth;
using Ferry.Server.Errors;
using Yarp.ReverseProxy.Forwarder;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// On a web node, the session API is served by the compute nodes: a new session goes to the least
/// busy node up, a session's calls go to the node its placement names (any web node finds it), and the
/// list gathers every node's. The request goes as it came, the caller's token included, so the compute
/// node applies the same authorization; a session whose node is gone (down, or started again since)
/// answers 410. The compute node holds the user to the session limit, counting the user's sessions on every
/// node in the same write transaction that records the new one. Runs before authorization: an unauthenticated request goes on to the local routes, which answer 401.
/// </summary>
internal sealed class SessionForwarder(
    RequestDelegate next, ComputeNodeDirectory nodes, IHttpForwarder forwarder, ISessionPlacementStore placements, NodeKey key)
{
    private readonly NodeKeyTransformer transformer = new(key.Value);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/sessions", out var rest) || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var segments = rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments.Length == 0 && HttpMethods.IsGet(context.Request.Method))
        {
            await ListAsync(context);
            return;
        }

        ComputeNode? node;
        if (segments.Length == 0)
        {
            node = nodes.Pick(null, null, []) ?? throw ComputeNodeDirectory.NoneUp();
        }
        else
        {
            var placement = await placements.FindAsync(segments[0], context.RequestAborted);
            if (placement is null || placement.Owner != context.User.Owner())
            {
                await next(context); // the local routes answer as for any session that is not the caller's (404), or for a bad path
                return;
            }

            node = nodes.Find(placement.NodeUrl);
            if (node?.Report?.Instance != placement.NodeInstance)
            {
                await GoneAsync(context, placement);
                return;
            }
        }

        var error = await forwarder.SendAsync(context, node.Address.ToString(), nodes.Forwarding, ForwarderRequestConfig.Empty, transformer);
        if (error is ForwarderError.Request or ForwarderError.RequestTimedOut && !context.Response.HasStarted)
        {
            nodes.MarkDown(node);
            context.Features.Set<IForwarderErrorFeature>(null);
            await ErrorWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The compute node for this session did not answer; try again shortly.");
        }
    }

    private static Task GoneAsync(HttpContext context, SessionPlacement placement) =>
        ErrorWriter.WriteAsync(
            context,
            StatusCodes.Status410Gone,
            $"Session '{placement.SessionId}' lived on compute node {placement.NodeUrl}, which has stopped; its workspace is lost. Create a new session (from a snapshot, if you took one).");

    /// <summary>
    /// GET /sessions: every node's list of the caller's sessions, as one array. A refusal (a Reader's 403) is
    /// the answer as the nodes give it: they apply the authorization.
    /// </summary>
    private async Task ListAsync(HttpContext context)
    {
        var up = nodes.Up;
        if (up.Count == 0)
        {
            throw ComputeNodeDirectory.NoneUp();
        }

        var answers = await Task.WhenAll(up.Select(async node =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.Address, "sessions"));
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(context.Request.Headers.Authorization.ToString());
            try
            {
                using var response = await nodes.Client.SendAsync(request, context.RequestAborted);
                return (Status: (int)response.StatusCode, Body: await response.Content.ReadAsStringAsync(context.RequestAborted));
            }
            catch (HttpRequestException)
            {
                return (Status: StatusCodes.Status200OK, Body: "[]"); // a node that went down meanwhile holds no session anyone can reach
            }
        }));
        if (answers.FirstOrDefault(a => a.Status != StatusCodes.Status200OK) is { Body: not null } refused)
        {
            context.Response.StatusCode = refused.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(refused.Body, context.RequestAborted);
            return;
        }

        await TypedResults.Ok(new JsonArray([.. answers.SelectMany(a => JsonNode.Parse(a.Body)!.AsArray().Select(item => item?.DeepClone()))])).ExecuteAsync(context);
    }

    private sealed class NodeKeyTransformer(string value) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Remove(NodeKey.Header);
            proxyRequest.Headers.TryAddWithoutValidation(NodeKey.Header, value);
        }
    }
}
