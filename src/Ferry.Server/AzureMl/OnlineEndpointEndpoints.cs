using System.Text.Json;
using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Errors;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
using Ferry.Server.Errors;
using Ferry.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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
        endpoints.MapPatch("/{endpointName}", PatchAsync).WithName("OnlineEndpoints_Update").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/write"));
        endpoints.MapGet("/{endpointName}", GetAsync).WithName("OnlineEndpoints_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/read"));
        endpoints.MapDelete("/{endpointName}", DeleteAsync).WithName("OnlineEndpoints_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/delete"));
        endpoints.MapPost("/{endpointName}/listKeys", ListKeysAsync).WithName("OnlineEndpoints_ListKeys").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/listKeys/action"));
        endpoints.MapPost("/{endpointName}/regenerateKeys", RegenerateKeysAsync).WithName("OnlineEndpoints_RegenerateKeys").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/regenerateKeys/action"));
        endpoints.MapGet("/{endpointName}/deployments", ListDeploymentsAsync).WithName("OnlineDeployments_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/read"));
        endpoints.MapPut("/{endpointName}/deployments/{deploymentName}", PutDeploymentAsync).WithName("OnlineDeployments_CreateOrUpdate").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/write"));
        endpoints.MapGet("/{endpointName}/deployments/{deploymentName}", GetDeploymentAsync).WithName("OnlineDeployments_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/read"));
        endpoints.MapDelete("/{endpointName}/deployments/{deploymentName}", DeleteDeploymentAsync).WithName("OnlineDeployments_Delete").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/onlineEndpoints/deployments/delete"));

        app.MapPost("/endpoints/{resourceGroupName}/{workspaceName}/{endpointName}/score", ScoreAsync)
            .WithName("OnlineEndpoints_Score").WithTags("Azure ML: scoring").RequirePermission(Permission.Public)
            .WithMetadata(new BodySizeLimit(app.ServiceProvider.GetRequiredService<IOptions<FerryServerOptions>>().Value.MaxScoringBodyBytes));
    }

    private static async Task<Results<Created<OnlineEndpointResponse>, Ok<OnlineEndpointResponse>>> PutAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointRequest? body, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var properties = body?.Properties;
        var traffic = properties?.Traffic?.ToDictionary(t => t.Key, t => WholeNumber(t.Value, $"traffic['{t.Key}']") ?? throw Bad($"traffic['{t.Key}'] must be a number."));
        var (endpoint, operation) = await endpoints.PutEndpointAsync(
            resourceGroupName, workspaceName, endpointName, body?.Location, properties?.AuthMode, properties?.Description, traffic, cancellationToken);
        var shape = Shape(context, subscriptionId, endpoint);
        if (operation is null)
        {
            return TypedResults.Ok(shape);
        }

        ArmLinks.AsyncOperation(context, subscriptionId, endpoint.Location, operation.Id);
        return TypedResults.Created((string?)null, shape);
    }

    /// <summary>An update: the endpoint must be there (404 otherwise), where a PUT would create it.</summary>
    private static async Task<Results<Created<OnlineEndpointResponse>, Ok<OnlineEndpointResponse>>> PatchAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointRequest? body, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        _ = await endpoints.GetEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken);
        return await PutAsync(subscriptionId, resourceGroupName, workspaceName, endpointName, body, context, endpoints, cancellationToken);
    }

    private static async Task<Ok<OnlineEndpointResponse>> GetAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(context, subscriptionId, await endpoints.GetEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken)));

    private static async Task<Ok<ArmList<OnlineEndpointResponse>>> ListAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, HttpContext context, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<OnlineEndpointResponse>([.. (await endpoints.ListEndpointsAsync(resourceGroupName, workspaceName, cancellationToken)).Select(e => Shape(context, subscriptionId, e))]));

    private static async Task<Results<Ok, NoContent>> DeleteAsync(
        string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    private static async Task<Ok<EndpointKeysResponse>> ListKeysAsync(
        string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.GetEndpointAsync(resourceGroupName, workspaceName, endpointName, cancellationToken);
        return TypedResults.Ok(new EndpointKeysResponse(endpoint.PrimaryKey, endpoint.SecondaryKey));
    }

    private static async Task<Ok> RegenerateKeysAsync(
        string resourceGroupName, string workspaceName, string endpointName, RegenerateKeysRequest? body, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        await endpoints.RegenerateKeyAsync(resourceGroupName, workspaceName, endpointName, body?.KeyType, body?.KeyValue, cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Created<OnlineDeploymentResponse>> PutDeploymentAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, string deploymentName, OnlineDeploymentRequest? body, HttpContext context,
        OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var properties = body?.Properties;
        var instances = WholeNumber(properties?.ScaleSettings?.InstanceCount, "properties.scaleSettings.instanceCount");
        var (deployment, operation) = await endpoints.PutDeploymentAsync(
            resourceGroupName, workspaceName, endpointName, deploymentName,
            properties?.Model?.AssetId, properties?.CodeConfiguration?.CodeId, properties?.CodeConfiguration?.ScoringScript,
            instances,
            cancellationToken);
        var location = body?.Location ?? "local";
        ArmLinks.AsyncOperation(context, subscriptionId, location, operation.Id);
        return TypedResults.Created((string?)null, Shape(subscriptionId, deployment, location));
    }

    private static async Task<Ok<OnlineDeploymentResponse>> GetDeploymentAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, string deploymentName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(subscriptionId, await endpoints.GetDeploymentAsync(resourceGroupName, workspaceName, endpointName, deploymentName, cancellationToken), "local"));

    private static async Task<Ok<ArmList<OnlineDeploymentResponse>>> ListDeploymentsAsync(
        string subscriptionId, string resourceGroupName, string workspaceName, string endpointName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<OnlineDeploymentResponse>([.. (await endpoints.ListDeploymentsAsync(resourceGroupName, workspaceName, endpointName, cancellationToken)).Select(d => Shape(subscriptionId, d, "local"))]));

    private static async Task<Results<Ok, NoContent>> DeleteDeploymentAsync(
        string resourceGroupName, string workspaceName, string endpointName, string deploymentName, OnlineEndpointService endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteDeploymentAsync(resourceGroupName, workspaceName, endpointName, deploymentName, cancellationToken) ? TypedResults.Ok() : TypedResults.NoContent();

    /// <summary>The raw body goes to run(); its result comes back as JSON. run() raising is a 502 with X-Ms-Run-Function-Failed.</summary>
    private static async Task<IResult> ScoreAsync(
        string resourceGroupName, string workspaceName, string endpointName, HttpRequest request, OnlineEndpointService endpoints, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        try
        {
            var result = await endpoints.ScoreAsync(resourceGroupName, workspaceName, endpointName, key, request.Body, cancellationToken);
            return TypedResults.Json(result);
        }
        catch (ScoringFailedException failed)
        {
            request.HttpContext.Response.Headers["X-Ms-Run-Function-Failed"] = "True";
            return TypedResults.Text(failed.Message, "text/plain", statusCode: StatusCodes.Status502BadGateway);
        }
    }

    private static OnlineEndpointResponse Shape(HttpContext context, string subscriptionId, OnlineEndpoint e) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{e.ResourceGroup}/{ArmLinks.Provider}/workspaces/{e.Workspace}/onlineEndpoints/{e.Name}",
        e.Name,
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        e.Location,
        new OnlineEndpointProperties(
            e.AuthMode,
            e.Description,
            Keys: null,
            Enum.Parse<ProvisioningState>(e.ProvisioningState),
            $"{ArmLinks.BaseUrl(context)}/endpoints/{e.ResourceGroup}/{e.Workspace}/{e.Name}/score",
            SwaggerUri: null,
            e.Traffic));

    private static OnlineDeploymentResponse Shape(string subscriptionId, OnlineDeployment d, string location) => new(
        $"/subscriptions/{subscriptionId}/resourceGroups/{d.ResourceGroup}/{ArmLinks.Provider}/workspaces/{d.Workspace}/onlineEndpoints/{d.Endpoint}/deployments/{d.Name}",
        d.Name,
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        location,
        new OnlineDeploymentProperties(
            "Managed",
            new ModelReference("Id", $"azureml:{d.ModelId}"),
            d.IsNative ? null : new CodeConfiguration($"azureml:{d.CodeId}", d.ScoringScript),
            new ScaleSettings("Manual", d.InstanceCount),
            Enum.Parse<ProvisioningState>(d.ProvisioningState)));

    /// <summary>A JSON number that must be a whole number fitting an int (1e12 and 100.5 are 400s); null when absent or null.</summary>
    private static int? WholeNumber(JsonElement? node, string name)
    {
        if (node is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Bad($"{name} must be a number.");
        }

        return value.TryGetInt32(out var whole)
            ? whole
            : throw Bad($"{name} must be a whole number between {int.MinValue} and {int.MaxValue}; got {value.GetRawText()}.");
    }

    private static FerryException Bad(string message) => new(FerryErrorKind.BadRequest, message, code: "BadArgument");
}
