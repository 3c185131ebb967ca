using System.Globalization;

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
    private static readonly ulong ProcessHalf = BitConverter.ToUInt64(Guid.NewGuid().ToByteArray());
    private static long count;

    public static string? CorrelationIdOf(HttpContext context) => context.Items[ItemKey] as string;

    public async Task InvokeAsync(HttpContext context)
    {
        var correlationId = Sanitize(context.Request.Headers[HeaderName].ToString()) ?? NewId();
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
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? AsSent(context.Request.Path);
                var user = context.User.Identity?.Name ?? "-";
                var remoteIp = context.Connection.RemoteIpAddress?.ToString() ?? "-";
                var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(logger, correlationId, user, context.Request.Method, route, context.Response.StatusCode, elapsedMs, remoteIp);
            }
        }
    }

    /// <summary>
    /// 32 hex digits, as a GUID's "N" form: the process's random half and a count. Unique like a GUID per server,
    /// without asking the kernel for randomness on every request.
    /// </summary>
    private static string NewId() => string.Create(32, Interlocked.Increment(ref count), static (span, n) =>
    {
        ProcessHalf.TryFormat(span, out _, "x16", CultureInfo.InvariantCulture);
        n.TryFormat(span[16..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>
    /// A path no route matched, as it was sent (escaped: a %0A stays "%0A", so a path cannot write lines of its own into
    /// the log) and at most 256 characters of it.
    /// </summary>
    private static string AsSent(PathString path)
    {
        var escaped = path.ToUriComponent();
        return escaped.Length <= 256 ? escaped : string.Concat(escaped.AsSpan(0, 256), "…");
    }

    private static string? Sanitize(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? value : null;

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "REQUEST {Method} {Route} {StatusCode} in {ElapsedMs:0.000} ms; CorrelationId={CorrelationId} User={UserPrincipalName} RemoteIp={RemoteIpAddress}")]
    private static partial void LogRequest(
        ILogger logger, string correlationId, string userPrincipalName, string method, string route, int statusCode, double elapsedMs, string remoteIpAddress);
}
