using Ferry.Server.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Ferry.Server.Errors;

/// <summary>The one place that writes error bodies, so every error looks the same to clients.</summary>
internal static class ErrorWriter
{
    private const string MessageItem = "Ferry.ErrorMessage";

    /// <summary>
    /// Leaves a message for a bodiless error response produced later in the pipeline (an auth
    /// challenge, say); <see cref="WriteAsync"/> picks it up.
    /// </summary>
    public static void SetMessage(HttpContext context, string message) => context.Items[MessageItem] = message;

    /// <summary>
    /// Writes the error body: ML Server's <c>{message, exceptionType, correlationId}</c>, or on the
    /// ARM plane (<c>/subscriptions/...</c>) ARM's envelope <c>{"error":{code, message}}</c>.
    /// </summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string? message = null, string? exceptionType = null)
    {
        context.Response.StatusCode = statusCode;
        var text = message ?? context.Items[MessageItem] as string ?? DefaultMessage(context, statusCode);
        if (UsesArmEnvelope(context.Request.Path))
        {
            var code = exceptionType ?? ReasonPhrases.GetReasonPhrase(statusCode).Replace(" ", "", StringComparison.Ordinal);
            return TypedResults.Json(new ArmErrorResponse(new ArmError(code, text)), statusCode: statusCode).ExecuteAsync(context);
        }

        if (context.Request.Path.StartsWithSegments("/modelmanagement"))
        {
            // Model management answers unwrapped: {code, statusCode, message}.
            var code = exceptionType ?? ReasonPhrases.GetReasonPhrase(statusCode).Replace(" ", "", StringComparison.Ordinal);
            return TypedResults.Json(new ModelManagementError(code, statusCode, text), statusCode: statusCode).ExecuteAsync(context);
        }

        var body = new ErrorResponse(text, exceptionType, RequestLog.CorrelationIdOf(context));
        return TypedResults.Json(body, statusCode: statusCode).ExecuteAsync(context);
    }

    /// <summary>The ARM host and the Azure-ML data planes answer errors as <c>{"error":{code, message}}</c>.</summary>
    private static bool UsesArmEnvelope(PathString path) =>
        path.StartsWithSegments("/subscriptions") || path.StartsWithSegments("/execution") || path.StartsWithSegments("/history") || path.StartsWithSegments("/artifact");

    private static string DefaultMessage(HttpContext context, int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "The request is not valid.",
        StatusCodes.Status401Unauthorized => "A valid 'Authorization: Bearer <access_token>' header is required; get a token from POST /login.",
        StatusCodes.Status403Forbidden => "Your role does not allow this operation.",
        StatusCodes.Status404NotFound => $"There is no resource at {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this server accepts.",
        StatusCodes.Status415UnsupportedMediaType => $"Content type '{context.Request.ContentType}' is not supported here; send application/json.",
        _ => $"The request failed with status {statusCode}.",
    };
}
