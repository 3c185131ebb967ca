using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Models;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>The model registry on the data plane: <c>modelmanagement/v1.0/.../models</c>.</summary>
internal static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/modelmanagement/v1.0/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/{workspace}/models")
            .WithTags("Azure ML: models");
        models.MapPost("/", RegisterAsync).WithName("MLModels_Register").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/write"));
        models.MapGet("/", ListAsync).WithName("MLModels_ListQuery").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/read"));
        models.MapGet("/{id}", GetAsync).WithName("MLModels_QueryById").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/read"));
        models.MapPatch("/{id}", PatchAsync).WithName("MLModels_Patch").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/write"));
        models.MapDelete("/{id}", DeleteAsync).WithName("MLModels_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/delete"));
        return app;
    }

    private static async Task<Ok<ModelResponse>> RegisterAsync(string resourceGroup, string workspace, ModelRegistration registration, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(await models.RegisterAsync(resourceGroup, workspace, registration, cancellationToken)));

    private static async Task<Ok<ArmList<ModelResponse>>> ListAsync(
        string resourceGroup, string workspace, string? name, string? framework, string? description, string? tags, string? runId, string? orderBy, int? count,
        ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ModelResponse>([.. (await models.ListAsync(resourceGroup, workspace, name, framework, description, tags, runId, orderBy, count, cancellationToken)).Select(Shape)]));

    private static async Task<Ok<ModelResponse>> GetAsync(string resourceGroup, string workspace, string id, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(await models.GetAsync(resourceGroup, workspace, id, cancellationToken)));

    private static async Task<Ok<ModelResponse>> PatchAsync(string resourceGroup, string workspace, string id, JsonNode? patch, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(await models.PatchAsync(
            resourceGroup, workspace, id,
            patch as JsonArray ?? throw new FerryException(FerryErrorKind.BadRequest, "The body must be a JSON patch: an array of {op, path, value}.", code: "BadRequest"),
            cancellationToken)));

    private static async Task<Results<Ok, NoContent>> DeleteAsync(string resourceGroup, string workspace, string id, ModelService models, CancellationToken cancellationToken) =>
        await models.DeleteAsync(resourceGroup, workspace, id, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    private static ModelResponse Shape(Model m) => new(
        m.Id, m.Name, m.Version, m.Framework, m.FrameworkVersion, m.Url, m.MimeType, m.Description, m.CreatedAt, m.ModifiedAt, Unpack: false, m.RunId, m.KvTags, m.Properties);
}
