using System.Text.Json.Nodes;
using Ferry.Core.Models;
using Ferry.Server.Auth;
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

    private static async Task<Results<Created<JsonObject>, Ok<JsonObject>>> PutCodeAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, CodeVersionRequest? request, CodeVersionService codes, CancellationToken cancellationToken)
    {
        var (code, created) = await codes.PutAsync(resourceGroupName, workspaceName, name, version, request?.Properties?.Path, request?.Properties?.Description, cancellationToken);
        var body = Shape(subscriptionId, code);
        return created ? TypedResults.Created((string?)null, body) : TypedResults.Ok(body);
    }

    private static async Task<Ok<JsonObject>> GetCodeAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, CodeVersionService codes, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await codes.GetAsync(resourceGroupName, workspaceName, name, version, cancellationToken)));

    private static async Task<Ok<JsonObject>> ListModelVersionsAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await models.ListAsync(resourceGroupName, workspaceName, name, null, null, null, null, "CreatedAtAsc", null, cancellationToken))
                .Select(m => (JsonNode)Shape(subscriptionId, m))]),
        });

    private static async Task<Ok<JsonObject>> GetModelVersionAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string name, string version, ModelService models, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await models.GetAsync(resourceGroupName, workspaceName, $"{name}:{version}", cancellationToken)));

    private static JsonObject Shape(string subscriptionId, CodeVersion c) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/resourceGroups/{c.ResourceGroup}/{ArmLinks.Provider}/workspaces/{c.Workspace}/codes/{c.Name}/versions/{c.Version}",
        ["name"] = c.Version,
        ["type"] = "Microsoft.MachineLearningServices/workspaces/codes/versions",
        ["properties"] = new JsonObject { ["path"] = c.Path, ["description"] = c.Description, ["datastoreId"] = null },
        ["systemData"] = new JsonObject { ["createdAt"] = c.CreatedAt },
    };

    private static JsonObject Shape(string subscriptionId, Model m) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/resourceGroups/{m.ResourceGroup}/{ArmLinks.Provider}/workspaces/{m.Workspace}/models/{m.Name}/versions/{m.Version}",
        ["name"] = m.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["type"] = "Microsoft.MachineLearningServices/workspaces/models/versions",
        ["properties"] = new JsonObject
        {
            ["modelUri"] = m.Url,
            ["description"] = m.Description,
            ["tags"] = new JsonObject(m.KvTags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
            ["properties"] = new JsonObject(m.Properties.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
        },
        ["systemData"] = new JsonObject { ["createdAt"] = m.CreatedAt, ["lastModifiedAt"] = m.ModifiedAt },
    };
}
