using Microsoft.OpenApi;

namespace Ferry.Server.OpenApi;

/// <summary>
/// The request body an operation reads itself, for the OpenAPI document only. Unlike <c>Accepts</c>
/// it takes no part in routing, so a request without a token gets 401 and a forbidden one 403
/// before anything looks at its content type.
/// </summary>
internal sealed record RequestContent(string ContentType, params string[] FileParts)
{
    public OpenApiRequestBody ToBody() => new()
    {
        Required = true,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ContentType] = new()
            {
                Schema = FileParts.Length == 0
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                    : new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = FileParts.ToDictionary(p => p, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }),
                    },
            },
        },
    };
}
