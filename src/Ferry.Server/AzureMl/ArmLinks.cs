namespace Ferry.Server.AzureMl;

/// <summary>URLs this server hands out on the ARM plane: its own base, and where to poll an operation.</summary>
internal static class ArmLinks
{
    public const string Provider = "providers/Microsoft.MachineLearningServices";

    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    /// <summary>The operation's URL under <c>.../locations/{location}/</c>: <c>operationsStatus</c> or a resource's <c>...OperationResults</c>.</summary>
    public static string Operation(HttpContext context, string subscriptionId, string location, string kind, string operationId) =>
        $"{BaseUrl(context)}/subscriptions/{subscriptionId}/{Provider}/locations/{Uri.EscapeDataString(location)}/{kind}/{operationId}?api-version={context.Request.Query["api-version"]}";

    /// <summary>Sets <c>Azure-AsyncOperation</c> (and <c>Retry-After</c>) for a long-running PUT.</summary>
    public static void AsyncOperation(HttpContext context, string subscriptionId, string location, string operationId)
    {
        context.Response.Headers["Azure-AsyncOperation"] = Operation(context, subscriptionId, location, "operationsStatus", operationId);
        context.Response.Headers.RetryAfter = "1";
    }
}
