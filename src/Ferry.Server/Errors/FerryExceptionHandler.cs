using System.Globalization;
using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Storage.Database;
using Microsoft.AspNetCore.Diagnostics;

namespace Ferry.Server.Errors;

/// <summary>
/// Maps exceptions to status codes and error bodies. Domain failures keep their message; anything
/// unexpected is logged and answered with a bare 500 that names the correlation id, never a trace.
/// </summary>
internal sealed partial class FerryExceptionHandler(ILogger<FerryExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case FerryException ferry:
                if (ferry.RetryAfter is { } retryAfter)
                {
                    var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await ErrorWriter.WriteAsync(context, StatusOf(ferry.Kind), ferry.Message, ferry.Code ?? ferry.Kind.ToString());
                return true;

            case BadHttpRequestException bad:
                // Malformed JSON, a wrong content type, a body over the limit: the framework's own checks.
                await ErrorWriter.WriteAsync(context, bad.StatusCode, Describe(bad), "BadRequest");
                return true;

            case System.Data.Common.DbException unique when DatabaseErrors.IsUniqueViolation(unique):
                // Two writers raced for one name on either database: the loser hears what it would have heard a moment later.
                await ErrorWriter.WriteAsync(context, StatusCodes.Status409Conflict, "It already exists: another request created it at the same time.", "Conflict");
                return true;

            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return true; // the client went away; there is no one to answer

            default:
                LogUnexpected(logger, exception, context.Request.Method, context.Request.Path);
                await ErrorWriter.WriteAsync(
                    context, StatusCodes.Status500InternalServerError, "An unexpected error occurred; the server log has the details.", "InternalError");
                return true;
        }
    }

    private static int StatusOf(FerryErrorKind kind) => kind switch
    {
        FerryErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        FerryErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        FerryErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        FerryErrorKind.NotFound => StatusCodes.Status404NotFound,
        FerryErrorKind.Conflict => StatusCodes.Status409Conflict,
        FerryErrorKind.Gone => StatusCodes.Status410Gone,
        FerryErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        FerryErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        FerryErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string Describe(BadHttpRequestException bad) => bad.InnerException switch
    {
        // A converter's own message (a repeated name, a lone surrogate) gives a path inside the value it read; say which value.
        JsonException json when json.Path is { Length: > 1 } path && !json.Message.Contains(" Path: ", StringComparison.Ordinal)
            => $"The request body is not valid JSON for this operation: {json.Message} ($ there is the body's {path}.)",
        JsonException json => $"The request body is not valid JSON for this operation: {json.Message}",
        _ when bad.StatusCode == StatusCodes.Status413PayloadTooLarge => $"The request body is larger than this operation accepts ({bad.Message})",
        _ when bad.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
            || (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) && bad.Message.EndsWith("from body.", StringComparison.Ordinal))
            => "The request needs a JSON body; it was empty.",
        _ => bad.Message,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
