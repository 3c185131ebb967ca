using Ferry.Server.Errors;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// On a compute node, every request but the probes must come from a web node (<see cref="NodeKey"/>):
/// clients reach sessions and services only through a web node, which applies the API's limits first.
/// Sessions' calls still carry the caller's own token, checked here as on any node.
/// </summary>
internal sealed class ComputeNodeGuard(RequestDelegate next, NodeKey key)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (key.Admits(context.Request) || context.Request.Path.StartsWithSegments("/status/live") || context.Request.Path.StartsWithSegments("/status/ready"))
        {
            return next(context);
        }

        return ErrorWriter.WriteAsync(
            context, StatusCodes.Status401Unauthorized, $"This is a compute node: it answers web nodes only (the request has no valid {NodeKey.Header} header). Send requests to a web node.");
    }
}
