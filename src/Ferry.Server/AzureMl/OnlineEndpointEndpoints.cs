using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Errors;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>
/// Online endpoints and deployments on the ARM host (mfe 2021-03-01-preview), and the scoring URL
/// they answer on: <c>POST {scoringUri}</c> with <c>Authorization: Bearer {key}</c>.
/// </summary>
internal static class OnlineEndpointEndpoints
{
    public static void MapOnlineEndpointEndpoints(this RouteGroupBuilder arm, IEndpointRouteBuilder app)
    {
        var endpoints = arm.MapGroup($"/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/{ArmLinks.Provider}/workspaces/{{workspaceName}}/onlineEndpoints");
        endpoints.MapGet("/", ListAsync).WithName("OnlineEndpoints_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/read"));
        endpoints.MapPut("/{endpointName}", PutAsync).WithName("OnlineEndpoints_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/write"));
        endpoints.MapPatch("/{endpointName}", PutAsync).WithName("OnlineEndpoints_Update").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/write"));
        endpoints.MapGet("/{endpointName}", GetAsync).WithName("OnlineEndpoints_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/read"));
        endpoints.MapDelete("/{endpointName}", DeleteAsync).WithName("OnlineEndpoints_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/delete"));
        endpoints.MapPost("/{endpointName}/listKeys", ListKeysAsync).WithName("OnlineEndpoints_ListKeys").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/listKeys/action"));
        endpoints.MapPost("/{endpointName}/regenerateKeys", RegenerateKeysAsync).WithName("OnlineEndpoints_RegenerateKeys").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/regenerateKeys/action"));
        endpoints.MapGet("/{endpointName}/deployments", ListDeploymentsAsync).WithName("OnlineDeployments_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/read"));
        endpoints.MapPut("/{endpointName}/deployments/{deploymentName}", PutDeploymentAsync).WithName("OnlineDeployments_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/write"));
        endpoints.MapGet("/{endpointName}/deployments/{deploymentName}", GetDeploymentAsync).WithName("OnlineDeployments_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/read"));
        endpoints.MapDelete("/{endpointName}/deployments/{deploymentName}", DeleteDeploymentAsync).WithName("OnlineDeployments_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/delete"));

        app.MapPost("/endpoints/{resourceGroupName}/{workspaceName}/{endpointName}/score", ScoreAsync)
            .WithName("OnlineEndpoints_Score").WithTags("Azure ML: scoring").RequirePermission(Permission.Public);
    }

    private static async Task<Results<Created<JsonObject>, Ok<JsonObject>>> PutAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, JsonObject? body, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var properties = Child(body, "properties") as JsonObject;
        var traffic = Child(properties, "traffic") is JsonObject split
            ? split.ToDictionary(t => t.Key, t => WholeNumber(t.Value, $"traffic['{t.Key}']") ?? throw Bad($"traffic['{t.Key}'] must be a number."))
            : null;
        var (endpoint, operation) = await endpoints.PutEndpointAsync(
            resourceGroupName, workspaceName, endpointName, Text(Child(body, "location")), Text(Child(properties, "authMode")), Text(Child(properties, "description")), traffic, cancellationToken);
        var shape = Shape(context, subscriptionId, endpoint);
        if (operation is null)
        {
            return TypedResults.Ok(shape);
        }

        ArmLinks.AsyncOperation(context, subscriptionId, endpoint.Location, operation.Id);
        return TypedResults.Created((string?)null, shape);
    }

    private static async Task<Ok<JsonObject>> GetAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(context, subscriptionId, await endpoints.GetEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken)));

    private static async Task<Ok<JsonObject>> ListAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await endpoints.ListEndpointsAsync(resourceGroupName, workspaceName, cancellationToken)).Select(e => (JsonNode)Shape(context, subscriptionId, e))]),
        });

    private static async Task<Results<Ok, NoContent>> DeleteAsync(
        string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    private static async Task<Ok<JsonObject>> ListKeysAsync(
        string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.GetEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken);
        return TypedResults.Ok(new JsonObject { ["primaryKey"] = endpoint.PrimaryKey, ["secondaryKey"] = endpoint.SecondaryKey });
    }

    private static async Task<Ok> RegenerateKeysAsync(
        string resourceGroupName, string workspaceName, string endpointName, JsonObject? body, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        await endpoints.RegenerateKeyAsync(resourceGroupName, workspaceName, endpointName, Text(Child(body, "keyType")), Text(Child(body, "keyValue")), cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Created<JsonObject>> PutDeploymentAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, string deploymentName, JsonObject? body, HttpContext context,
        OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var properties = Child(body, "properties") as JsonObject;
        var instances = WholeNumber(Child(Child(properties, "scaleSettings"), "instanceCount"), "properties.scaleSettings.instanceCount");
        var (deployment, operation) = await endpoints.PutDeploymentAsync(
            resourceGroupName, workspaceName, endpointName, deploymentName,
            Text(Child(Child(properties, "model"), "assetId")), Text(Child(Child(properties, "codeConfiguration"), "codeId")), Text(Child(Child(properties, "codeConfiguration"), "scoringScript")),
            instances,
            cancellationToken);
        var location = Text(Child(body, "location")) ?? "local";
        ArmLinks.AsyncOperation(context, subscriptionId, location, operation.Id);
        return TypedResults.Created((string?)null, Shape(subscriptionId, deployment, location));
    }

    private static async Task<Ok<JsonObject>> GetDeploymentAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, string deploymentName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await endpoints.GetDeploymentAsync(resourceGroupName, workspaceName, endpointName, deploymentName, cancellationToken), "local"));

    private static async Task<Ok<JsonObject>> ListDeploymentsAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await endpoints.ListDeploymentsAsync(resourceGroupName, workspaceName, endpointName, cancellationToken)).Select(d => (JsonNode)Shape(subscriptionId, d, "local"))]),
        });

    private static async Task<Results<Ok, NoContent>> DeleteDeploymentAsync(
        string resourceGroupName, string workspaceName, string endpointName, string deploymentName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteDeploymentAsync(resourceGroupName, workspaceName, endpointName, deploymentName, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    /// <summary>The raw body goes to run(); its result comes back as JSON. run() raising is a 502 with X-Ms-Run-Function-Failed.</summary>
    private static async Task<IResult> ScoreAsync(
        string resourceGroupName, string workspaceName, string endpointName, HttpRequest request, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        try
        {
            var result = await endpoints.ScoreAsync(resourceGroupName, workspaceName, endpointName, key, body, cancellationToken);
            return TypedResults.Json(result);
        }
        catch (ScoringFailedException failed)
        {
            request.HttpContext.Response.Headers["X-Ms-Run-Function-Failed"] = "True";
            return TypedResults.Text(failed.Message, "text/plain", statusCode: StatusCodes.Status502BadGateway);
        }
    }

    private static JsonObject Shape(HttpContext context, string subscriptionId, OnlineEndpoint e) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/resourceGroups/{e.ResourceGroup}/{ArmLinks.Provider}/workspaces/{e.Workspace}/onlineEndpoints/{e.Name}",
        ["name"] = e.Name,
        ["type"] = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        ["location"] = e.Location,
        ["properties"] = new JsonObject
        {
            ["authMode"] = e.AuthMode,
            ["description"] = e.Description,
            ["keys"] = null,
            ["provisioningState"] = e.ProvisioningState,
            ["scoringUri"] = $"{ArmLinks.BaseUrl(context)}/endpoints/{e.ResourceGroup}/{e.Workspace}/{e.Name}/score",
            ["swaggerUri"] = null,
            ["traffic"] = new JsonObject(e.Traffic.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value)))),
        },
    };

    private static JsonObject Shape(string subscriptionId, OnlineDeployment d, string location) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/resourceGroups/{d.ResourceGroup}/{ArmLinks.Provider}/workspaces/{d.Workspace}/onlineEndpoints/{d.Endpoint}/deployments/{d.Name}",
        ["name"] = d.Name,
        ["type"] = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        ["location"] = location,
        ["properties"] = new JsonObject
        {
            ["endpointComputeType"] = "Managed",
            ["model"] = new JsonObject { ["referenceType"] = "Id", ["assetId"] = $"azureml:{d.ModelId}" },
            ["codeConfiguration"] = new JsonObject { ["codeId"] = $"azureml:{d.CodeId}", ["scoringScript"] = d.ScoringScript },
            ["scaleSettings"] = new JsonObject { ["scaleType"] = "Manual", ["instanceCount"] = d.InstanceCount },
            ["provisioningState"] = d.ProvisioningState,
        },
    };

    /// <summary>A property of an object; null when absent or when the node is not an object at all.</summary>
    private static JsonNode? Child(JsonNode? node, string name) => node is JsonObject o ? o[name] : null;

    /// <summary>A JSON number that must be a whole number fitting an int (1e12 and 100.5 are 400s); null when absent.</summary>
    private static int? WholeNumber(JsonNode? node, string name)
    {
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            throw Bad($"{name} must be a number.");
        }

        var value = node.GetValue<JsonElement>();
        return value.TryGetInt32(out var whole)
            ? whole
            : throw Bad($"{name} must be a whole number between {int.MinValue} and {int.MaxValue}; got {value.GetRawText()}.");
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static FerryException Bad(string message) => new(FerryErrorKind.BadRequest, message, code: "BadArgument");
}
