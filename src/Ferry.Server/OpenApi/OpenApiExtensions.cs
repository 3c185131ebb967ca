using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Ferry.Server.OpenApi;

/// <summary>Ferry's OpenAPI document at <c>/swagger/v1/swagger.json</c>, with the Bearer scheme.</summary>
internal static class OpenApiExtensions
{
    public static IServiceCollection AddFerryOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Ferry",
                    Version = "v1",
                    Description = "ML Server 9.x operationalization API and Azure-ML-style management API. "
                        + "Every operation except login needs 'Authorization: Bearer <access_token>'.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["Bearer"] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "An access_token from POST /login.",
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
                return Task.CompletedTask;
            });

            // Operations open to anonymous callers say so, overriding the document-wide requirement.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [];
                }

                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapFerryOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/swagger/{documentName}/swagger.json").AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
