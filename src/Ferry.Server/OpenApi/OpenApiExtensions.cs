using System.Text.Json.Nodes;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Ferry.Server.OpenApi;

/// <summary>Ferry's OpenAPI document at <c>/swagger/v1/swagger.json</c>, with the Bearer scheme.</summary>
internal static class OpenApiExtensions
{
    /// <summary>The operation's declared permission: <c>{plane, role, action}</c>.</summary>
    public const string PermissionExtension = "x-ferry-permission";

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

            // Operations open to anonymous callers say so, overriding the document-wide requirement;
            // every operation shows the permission it declares, so the rules read as a table.
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [];
                }

                if (metadata.OfType<RequestContent>().LastOrDefault() is { } content)
                {
                    operation.RequestBody = content.ToBody();
                }

                if (metadata.OfType<Permission>().LastOrDefault() is { } permission)
                {
                    operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    operation.Extensions[PermissionExtension] = new JsonNodeExtension(new JsonObject
                    {
                        ["plane"] = permission.Plane.ToString(),
                        ["role"] = permission.Role?.ToString(),
                        ["action"] = permission.Action,
                    });
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
