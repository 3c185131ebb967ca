namespace Ferry.Server.OpenApi;

internal static class RequestContentExtensions
{
    /// <summary>Documents the body the handler reads from the request stream.</summary>
    public static RouteHandlerBuilder WithRequestContent(this RouteHandlerBuilder builder, string contentType, params string[] fileParts) =>
        builder.WithMetadata(new RequestContent(contentType, fileParts));
}
