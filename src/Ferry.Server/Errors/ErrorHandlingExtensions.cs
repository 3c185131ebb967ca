using Microsoft.AspNetCore.Http.Features;

namespace Ferry.Server.Errors;

/// <summary>One error pipeline: exceptions and bodiless error statuses both end as <see cref="ErrorResponse"/>.</summary>
internal static class ErrorHandlingExtensions
{
    public static IServiceCollection AddFerryErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<FerryExceptionHandler>();
        services.AddProblemDetails();

        // Binding failures throw, so the exception handler can say what was wrong instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseFerryErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            return http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType is not null
                ? Task.CompletedTask
                : ErrorWriter.WriteAsync(http, http.Response.StatusCode);
        });
        return app;
    }

    /// <summary>
    /// Refuses a body whose declared length is over the limit before anything reads it; an endpoint's
    /// <see cref="BodySizeLimit"/> lowers the limit for its routes.
    /// </summary>
    public static IApplicationBuilder UseBodySizeLimit(this IApplicationBuilder app, long serverMaxBytes) =>
        app.Use((context, next) =>
        {
            var maxBytes = context.GetEndpoint()?.Metadata.GetMetadata<BodySizeLimit>()?.MaxBytes is { } own ? Math.Min(own, serverMaxBytes) : serverMaxBytes;
            if (context.Request.ContentLength > maxBytes)
            {
                return ErrorWriter.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than the {maxBytes}-byte limit.");
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = maxBytes;
            }
            else
            {
                context.Request.Body = new BodyLimitStream(context.Request.Body, maxBytes); // a host without Kestrel's limit (the in-memory test host)
            }

            return next(context);
        });
}
