using Ferry.Core.Errors;
using Ferry.Server.Auth;

namespace Ferry.Server.Portal;

/// <summary>
/// The web portal at <c>/ui/</c>: static files only, served without a token. Every piece of data the
/// page shows comes from the REST API with the signed-in user's bearer token, so the portal can do
/// exactly what that user's role allows and nothing more.
/// </summary>
internal static class PortalEndpoints
{
    /// <summary>Only this server's own scripts, styles and API: no inline script, no other origin, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        // Not operations of the API: left out of the OpenAPI document, but declared public like every route.
        var portal = app.MapGroup("/ui").RequirePermission(Permission.Public).ExcludeFromDescription();
        portal.MapGet("", Root);
        portal.MapGet("/{**path}", Serve);
        return app;
    }

    /// <summary>Routing matches <c>/ui</c> and <c>/ui/</c> alike; the page's relative module paths need the slash.</summary>
    private static IResult Root(HttpContext context, PortalAssets assets) =>
        context.Request.Path.Value?.EndsWith('/') == true ? Serve(null, context, assets) : TypedResults.Redirect("/ui/");

    private static IResult Serve(string? path, HttpContext context, PortalAssets assets)
    {
        var asset = assets.Find(string.IsNullOrEmpty(path) ? "index.html" : path)
            ?? throw FerryException.NotFound($"The portal has no file '{path}'.");
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        // Revalidated on every load, so an upgraded server's portal is seen at once; unchanged files cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }
}
