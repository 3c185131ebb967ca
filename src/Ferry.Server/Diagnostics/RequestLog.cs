
namespace Ferry.Server.Diagnostics;

/// <summary>
/// One structured line per request: correlation id, user, method, route, status and duration.
/// The correlation id is the caller's <c>X-Correlation-Id</c> when it is sane, else a new one, and
/// is echoed in the response and in error bodies so a report can be matched to the log.
/// </summary>
internal sealed partial class RequestLog(RequestDelegate next, ILogger<RequestLog> logger, TimeProvider time)
{
    public const string HeaderName = "X-Correlation-Id";
    private const string ItemKey = "Ferry.CorrelationId";

    public static string? CorrelationIdOf(HttpContext context) => context.Items[ItemKey] as string;

    public async Task InvokeAsync(HttpContext context)
    {
        var correlationId = Sanitize(context.Request.Headers[HeaderName].ToString()) ?? Guid.NewGuid().ToString("N");
        context.Items[ItemKey] = correlationId;
        context.Response.Headers[HeaderName] = correlationId;
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
                var user = context.User.Identity?.Name ?? "-";
                var remoteIp = context.Connection.RemoteIpAddress?.ToString() ?? "-";
                var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(logger, correlationId, user, context.Request.Method, route, context.Response.StatusCode, elapsedMs, remoteIp);
            }
        }
    }

    private static string? Sanitize(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? value : null;

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "REQUEST {Method} {Route} {StatusCode} in {ElapsedMs:0.000} ms; CorrelationId={CorrelationId} User={UserPrincipalName} RemoteIp={RemoteIpAddress}")]
    private static partial void LogRequest(
        ILogger logger, string correlationId, string userPrincipalName, string method, string route, int statusCode, double elapsedMs, string remoteIpAddress);
}
