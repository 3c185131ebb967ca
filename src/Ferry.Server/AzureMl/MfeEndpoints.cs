using System.Globalization;
using Ferry.Core.Models;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>
/// The 2021-03-01-preview (mfe) resources on the ARM host: code versions, and the model registry
/// seen as <c>models/{name}/versions/{version}</c>.
/// </summary>
internal static class MfeEndpoints
{
    public static void MapMfeEndpoints(this RouteGroupBuilder arm)
    {
        var workspace = arm.MapGroup($"/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/{ArmLinks.Provider}/workspaces/{{workspaceName}}");
        workspace.MapPut("/codes/{name}/versions/{version}", PutCodeAsync).WithName("CodeVersions_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/codes/versions/write"));
        workspace.MapGet("/codes/{name}/versions/{version}", GetCodeAsync).WithName("CodeVersions_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/codes/versions/read"));
        workspace.MapGet("/models/{name}/versions", ListModelVersionsAsync).WithName("ModelVersions_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/versions/read"));
        workspace.MapGet("/models/{name}/versions/{version}", GetModelVersionAsync).WithName("ModelVersions_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/models/versions/read"));
    }

    private static async Task<Results<Created<CodeVersionResponse>, Ok<CodeVersionResponse>>> PutCodeAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, CodeVersionRequest? request, CodeVersionService codes, CancellationToken cancellationToken)
    {
        var (code, created) = await codes.PutAsync(resourceGroupName, workspaceName, name, version, request?.Properties?.Path, request?.Properties?.Description, cancellationToken);
        var body = Shape(subscriptionId, code);
        return created ? TypedResults.Created((string?)null, body) : TypedResults.Ok(body);
    }

    private static async Task<Ok<CodeVersionResponse>> GetCodeAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, CodeVersionService codes, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await codes.GetAsync(resourceGroupName, workspaceName, name, version, cancellationToken)));

    private static async Task<Ok<ArmList<ModelVersionResponse>>> ListModelVersionsAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ModelVersionResponse>([.. (await models.ListAsync(resourceGroupName, workspaceName, name, null, null, null, null, "CreatedAtAsc", null, cancellationToken))
            .Select(m => Shape(subscriptionId, m))]));

    private static async Task<Ok<ModelVersionResponse>> GetModelVersionAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await models.GetAsync(resourceGroupName, workspaceName, $"{name}:{version}", cancellationToken)));

    private static CodeVersionResponse Shape(string subscriptionId, CodeVersion c) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{c.ResourceGroup}/{ArmLinks.Provider}/workspaces/{c.Workspace}/codes/{c.Name}/versions/{c.Version}",
        c.Version,
        "Microsoft.MachineLearningServices/workspaces/codes/versions",
        new CodeVersionResponseProperties(c.Path, c.Description, DatastoreId: null),
        new SystemData(c.CreatedAt));

    private static ModelVersionResponse Shape(string subscriptionId, Model m) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{m.ResourceGroup}/{ArmLinks.Provider}/workspaces/{m.Workspace}/models/{m.Name}/versions/{m.Version}",
        m.Version.ToString(CultureInfo.InvariantCulture),
        "Microsoft.MachineLearningServices/workspaces/models/versions",
        new ModelVersionProperties(m.Url, m.Description, m.KvTags, m.Properties),
        new SystemData(m.CreatedAt, m.ModifiedAt));
}
