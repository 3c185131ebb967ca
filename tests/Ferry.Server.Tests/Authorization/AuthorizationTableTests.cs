using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Server.Auth;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Authorization;

/// <summary>
/// The authorization table: every operation of Ferry's OpenAPI document × every kind of caller →
/// the status a real server answers. Each row names the role the operation must need (held
/// against the document's <c>x-ferry-permission</c>) and a request that, once authorized, has a
/// known answer that changes nothing (invalid bodies, absent names, reads), so the rows can run
/// in any order. A route without a declared permission, or an operation without a row, fails.
/// </summary>
public sealed partial class AuthorizationTableTests(AuthorizationWorld world) : IClassFixture<AuthorizationWorld>
{
    private const string V = "api-version=2019-11-01";
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task EveryOperation_EveryCaller_AnswersAsTheTableSays()
    {
        var operations = await DocumentOperationsAsync();
        var rows = Rows().ToDictionary(r => r.OperationId);
        var failures = new List<string>();
        failures.AddRange(operations.Keys.Except(rows.Keys).Select(id => $"{id}: an operation of the document has no row in the table"));
        failures.AddRange(rows.Keys.Except(operations.Keys).Select(id => $"{id}: a row names no operation of the document"));

        foreach (var (id, row) in rows.Where(r => operations.ContainsKey(r.Key)))
        {
            var (method, template, declared) = operations[id];
            if (declared != row.Need.Declared())
            {
                failures.Add($"{id}: declares {declared}; the table says it needs {row.Need.Declared()}");
            }

            if (!string.Equals(method, row.Method, StringComparison.OrdinalIgnoreCase) || !Matches(template, row.Path))
            {
                failures.Add($"{id}: the row's {row.Method} {row.Path} is not the operation's {method} {template}");
                continue;
            }

            foreach (var caller in Enum.GetValues<Caller>())
            {
                var (status, code) = Expected(row, caller);
                using var request = row.Request();
                using var response = await world.Clients[caller].SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var actualCode = code is null ? null : CodeOf(body);
                if ((int)response.StatusCode != status || actualCode != code)
                {
                    failures.Add($"{id} as {caller}: expected {status}{(code is null ? "" : " " + code)}, got {(int)response.StatusCode}{(code is null ? "" : " " + actualCode)} {Shorten(body)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} cells differ:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public void EveryRoute_DeclaresAPermission()
    {
        var undeclared = world.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Permission>() is null && e.RoutePattern.RawText != "/swagger/{documentName}/swagger.json")
            .Select(e => e.DisplayName)
            .ToList();
        Assert.Empty(undeclared);
    }

    /// <summary>What the caller gets: a refusal by the declared permission, or the row's answer once authorized.</summary>
    private static (int Status, string? Code) Expected(Row row, Caller caller)
    {
        if (caller == Caller.Anonymous && row.Need != Need.Public)
        {
            return (401, null);
        }

        switch (row.Need)
        {
            case Need.Public or Need.SignedIn:
                break;
            case Need.Reader or Need.Contributor or Need.Owner:
                var serverRole = caller switch
                {
                    Caller.Reader => Need.Reader,
                    Caller.ContributorOwningResource or Caller.ContributorNotOwning => Need.Contributor,
                    Caller.Owner => Need.Owner,
                    _ => (Need?)null, // service principals hold no ML Server role
                };
                if (serverRole is null || serverRole < row.Need)
                {
                    return (403, null);
                }

                break;
            default:
                var armRole = caller switch
                {
                    Caller.Owner => Need.ArmContributor, // Owner: above everything a route asks for
                    Caller.Reader => Need.ArmReader,
                    Caller.ContributorOwningResource or Caller.ServicePrincipalInScope => Need.ArmContributor,
                    _ => (Need?)null,
                };
                if (row.Unscoped)
                {
                    break;
                }

                if (armRole is null)
                {
                    return (404, "SubscriptionNotFound");
                }

                if (armRole < row.Need)
                {
                    return (403, "AuthorizationFailed");
                }

                break;
        }

        return caller switch
        {
            Caller.ContributorNotOwning => (row.NotOwner ?? row.Allowed, null),
            Caller.Owner => (row.Owner ?? row.Allowed, null),
            _ => (row.Allowed, null),
        };
    }

    private IEnumerable<Row> Rows()
    {
        string s = world.SessionId, snap = world.SnapshotId, svc = AuthorizationWorld.Service, sub = world.Subscription, w = world.WorkspacePath, run = world.RunId;
        const string none = "does-not-exist";
        const string notJson = "{not json";

        // ML Server: authentication (open to all).
        yield return new("login", Need.Public, "POST", "/login", "{}", 400);
        yield return new("renewToken", Need.Public, "POST", "/login/refreshToken", "{}", 400);
        yield return new("revokeRefreshToken", Need.Public, "DELETE", "/login/refreshToken", null, 400);
        yield return new("revokeRefreshTokenByPath", Need.Public, "DELETE", $"/login/refreshToken/{none}", null, 401);
        yield return new("status", Need.SignedIn, "GET", "/status", null, 200);

        // Centralized configuration: Owner only.
        yield return new("getComputeNodes", Need.Owner, "GET", "/computenodes", null, 200);
        yield return new("setComputeNodes", Need.Owner, "POST", "/computenodes", notJson, 400);
        yield return new("addComputeNode", Need.Owner, "PUT", "/computenodes", notJson, 400);
        yield return new("removeComputeNode", Need.Owner, "DELETE", "/computenodes", notJson, 400);

        // Sessions and snapshots: Contributors, each on their own only (others' are 404, Owners' too).
        yield return new("createSession", Need.Contributor, "POST", "/sessions", """{"name":"x","runtimeType":"Cobol"}""", 400);
        yield return new("listSessions", Need.Contributor, "GET", "/sessions", null, 200);
        yield return new("executeCode", Need.Contributor, "POST", $"/sessions/{s}/execute", """{"code":"z = 1"}""", 200, NotOwner: 404, Owner: 404);
        yield return new("cancelSession", Need.Contributor, "POST", $"/sessions/{s}/cancel", null, 200, NotOwner: 404, Owner: 404);
        yield return new("closeSession", Need.Contributor, "DELETE", $"/sessions/{none}", null, 404);
        yield return new("closeSessionByForce", Need.Contributor, "DELETE", $"/sessions/{none}/force", null, 404);
        yield return new("getSessionConsoleOutput", Need.Contributor, "GET", $"/sessions/{s}/console-output", null, 200, NotOwner: 404, Owner: 404);
        yield return new("listSessionHistory", Need.Contributor, "GET", $"/sessions/{s}/history", null, 200, NotOwner: 404, Owner: 404);
        yield return new("uploadSessionFile", Need.Contributor, "POST", $"/sessions/{s}/files", "x", 400, NotOwner: 404, Owner: 404, ContentType: "text/plain");
        yield return new("listSessionFiles", Need.Contributor, "GET", $"/sessions/{s}/files", null, 200, NotOwner: 404, Owner: 404);
        yield return new("getSessionFile", Need.Contributor, "GET", $"/sessions/{s}/files/{none}.txt", null, 404);
        yield return new("deleteSessionFile", Need.Contributor, "DELETE", $"/sessions/{s}/files/{none}.txt", null, 404);
        yield return new("listWorkspaceObjects", Need.Contributor, "GET", $"/sessions/{s}/workspace", null, 200, NotOwner: 404, Owner: 404);
        yield return new("setWorkspaceObject", Need.Contributor, "POST", $"/sessions/{s}/workspace/obj", "not dill", 400, NotOwner: 404, Owner: 404, ContentType: "application/octet-stream");
        yield return new("getWorkspaceObject", Need.Contributor, "GET", $"/sessions/{s}/workspace/{none}", null, 404);
        yield return new("deleteWorkspaceObject", Need.Contributor, "DELETE", $"/sessions/{s}/workspace/{none}", null, 404);
        yield return new("CreateSnapshot", Need.Contributor, "POST", $"/sessions/{s}/snapshot", """{"name":"again"}""", 201, NotOwner: 404, Owner: 404);
        yield return new("LoadSnapshot", Need.Contributor, "POST", $"/sessions/{s}/loadsnapshot/{snap}", null, 200, NotOwner: 404, Owner: 404);
        yield return new("ListSnapshots", Need.Contributor, "GET", "/snapshots", null, 200);
        yield return new("GetSnapshotContent", Need.Contributor, "GET", $"/snapshots/{snap}", null, 200, NotOwner: 404, Owner: 404);
        yield return new("DeleteSnapshot", Need.Contributor, "DELETE", $"/snapshots/{none}", null, 404);

        // Web services: Readers list, get and consume; Contributors publish, patch and delete their own; Owners anyone's and pools.
        yield return new("getAllWebServices", Need.Reader, "GET", "/services", null, 200);
        yield return new("publishWebService", Need.Contributor, "POST", $"/services/{none}", "{}", 400);
        yield return new("getAllWebServiceVersionsByName", Need.Reader, "GET", $"/services/{svc}", null, 200);
        yield return new("publishWebServiceVersion", Need.Contributor, "POST", $"/services/{none}/v1", "{}", 400);
        yield return new("patchWebServiceVersion", Need.Contributor, "PATCH", $"/services/{svc}/v1", """{"description":"table"}""", 200, NotOwner: 403);
        yield return new("getWebServiceVersion", Need.Reader, "GET", $"/services/{svc}/v1", null, 200);
        yield return new("getWebServiceVersionStats", Need.Reader, "GET", $"/services/{svc}/v1/stats", null, 200);
        yield return new("deleteWebServiceVersion", Need.Contributor, "DELETE", $"/services/{svc}/{none}", null, 404);
        yield return new("createOrUpdateServicePool", Need.Owner, "POST", $"/services/{svc}/v1/pool", notJson, 400);
        yield return new("getServicePoolStatus", Need.Owner, "GET", $"/services/{svc}/v1/pool", null, 200);
        yield return new("deleteServicePool", Need.Owner, "DELETE", $"/services/{svc}/{none}/pool", null, 404);
        yield return new("publishRealtimeWebServiceByName", Need.Contributor, "POST", $"/realtime-services/{none}", "{}", 400);
        yield return new("publishRealtimeWebServiceByNameVersion", Need.Contributor, "POST", $"/realtime-services/{none}/v1", "{}", 400);
        yield return new("patchRealtimeWebServiceByNameVersion", Need.Contributor, "PATCH", $"/realtime-services/{svc}/v1", "{}", 400);
        yield return new("ConsumeWebService", Need.Reader, "POST", $"/api/{svc}/v1", """{"x":2}""", 200);
        yield return new("GetWebServiceSwagger", Need.Reader, "GET", $"/api/{svc}/v1/swagger.json", null, 200);
        yield return new("StartBatchExecution", Need.Reader, "POST", $"/api/{svc}/v1/batch", "[]", 400);
        yield return new("GetBatchExecutions", Need.Reader, "GET", $"/api/{svc}/v1/batch", null, 200);
        yield return new("GetBatchExecutionStatus", Need.Reader, "GET", $"/api/{svc}/v1/batch/{none}", null, 404);
        yield return new("CancelAndDeleteBatchExecution", Need.Reader, "DELETE", $"/api/{svc}/v1/batch/{none}", null, 404);
        yield return new("GetBatchExecutionFiles", Need.Reader, "GET", $"/api/{svc}/v1/batch/{none}/0/files", null, 404);
        yield return new("GetBatchExecutionFile", Need.Reader, "GET", $"/api/{svc}/v1/batch/{none}/0/files/out.txt", null, 404);

        // Azure ML: open doors (the token endpoint, discovery, signed URLs, key-scored endpoints).
        yield return new("getClientCredentialsToken", Need.Public, "POST", $"/{world.Tenant}/oauth2/token", "{}", 400);
        yield return new("getDiscovery", Need.Public, "GET", "/discovery", null, 200);
        yield return new("getLiveness", Need.Public, "GET", "/status/live", null, 200);
        yield return new("getReadiness", Need.Public, "GET", "/status/ready", null, 200);
        yield return new("getSignedRunFile", Need.Public, "GET", $"/runfiles/{run}/azureml-logs/70_driver_log.txt?se=1&sig=x", null, 403);
        yield return new("OnlineEndpoints_Score", Need.Public, "POST", $"/endpoints/{AuthorizationWorld.Group}/{AuthorizationWorld.Workspace}/tbl-ep/score", "{}", 401);

        // ARM: subscriptions and resource groups.
        yield return new("Subscriptions_List", Need.ArmReader, "GET", $"/subscriptions?{V}", null, 200, Unscoped: true);
        yield return new("Subscriptions_Get", Need.ArmReader, "GET", $"/subscriptions/{sub}?{V}", null, 200);
        yield return new("ResourceGroups_List", Need.ArmReader, "GET", $"/subscriptions/{sub}/resourcegroups?{V}", null, 200);
        yield return new("ResourceGroups_CreateOrUpdate", Need.ArmContributor, "PUT", $"/subscriptions/{sub}/resourcegroups/{none}?{V}", "{}", 400);
        yield return new("ResourceGroups_Get", Need.ArmReader, "GET", $"/subscriptions/{sub}/resourcegroups/{AuthorizationWorld.Group}?{V}", null, 200);
        yield return new("ResourceGroups_Delete", Need.ArmContributor, "DELETE", $"/subscriptions/{sub}/resourcegroups/{none}?{V}", null, 404);

        // ARM: workspaces and their operations, computes.
        var group = $"/subscriptions/{sub}/resourceGroups/{AuthorizationWorld.Group}/providers/Microsoft.MachineLearningServices";
        var location = $"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/westus2";
        yield return new("Workspaces_ListByResourceGroup", Need.ArmReader, "GET", $"{group}/workspaces?{V}", null, 200);
        yield return new("Workspaces_CreateOrUpdate", Need.ArmContributor, "PUT", $"{group}/workspaces/{none}?{V}", "{}", 400);
        yield return new("Workspaces_Get", Need.ArmReader, "GET", $"{w}?{V}", null, 200);
        yield return new("Workspaces_Update", Need.ArmContributor, "PATCH", $"{w}?{V}", "{}", 200);
        yield return new("Workspaces_Delete", Need.ArmContributor, "DELETE", $"{group}/workspaces/{none}?{V}", null, 204);
        yield return new("Workspaces_ListBySubscription", Need.ArmReader, "GET", $"/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces?{V}", null, 200);
        yield return new("Operations_GetStatus", Need.ArmReader, "GET", $"{location}/operationsStatus/{none}?{V}", null, 404);
        yield return new("WorkspaceOperations_GetResult", Need.ArmReader, "GET", $"{location}/workspaceOperationResults/{none}?{V}", null, 404);
        yield return new("MachineLearningCompute_ListByWorkspace", Need.ArmReader, "GET", $"{w}/computes?{V}", null, 200);
        yield return new("MachineLearningCompute_CreateOrUpdate", Need.ArmContributor, "PUT", $"{w}/computes/{none}?{V}", "{}", 400);
        yield return new("MachineLearningCompute_Get", Need.ArmReader, "GET", $"{w}/computes/cpu?{V}", null, 200);
        yield return new("MachineLearningCompute_Delete", Need.ArmContributor, "DELETE", $"{w}/computes/{none}?{V}&underlyingResourceAction=Delete", null, 404);

        // mfe: code versions, model versions, online endpoints and deployments.
        yield return new("CodeVersions_CreateOrUpdate", Need.ArmContributor, "PUT", $"{w}/codes/c/versions/2?{Preview}", "{}", 400);
        yield return new("CodeVersions_Get", Need.ArmReader, "GET", $"{w}/codes/c/versions/1?{Preview}", null, 200);
        yield return new("ModelVersions_List", Need.ArmReader, "GET", $"{w}/models/m/versions?{Preview}", null, 200);
        yield return new("ModelVersions_Get", Need.ArmReader, "GET", $"{w}/models/m/versions/1?{Preview}", null, 200);
        var ep = $"{w}/onlineEndpoints";
        yield return new("OnlineEndpoints_List", Need.ArmReader, "GET", $"{ep}?{Preview}", null, 200);
        yield return new("OnlineEndpoints_CreateOrUpdate", Need.ArmContributor, "PUT", $"{ep}/{none}?{Preview}", """{"properties":{"authMode":"AAD"}}""", 400);
        yield return new("OnlineEndpoints_Update", Need.ArmContributor, "PATCH", $"{ep}/tbl-ep?{Preview}", """{"properties":{"traffic":{"none":100}}}""", 400);
        yield return new("OnlineEndpoints_Get", Need.ArmReader, "GET", $"{ep}/tbl-ep?{Preview}", null, 200);
        yield return new("OnlineEndpoints_Delete", Need.ArmContributor, "DELETE", $"{ep}/{none}?{Preview}", null, 204);
        yield return new("OnlineEndpoints_ListKeys", Need.ArmContributor, "POST", $"{ep}/tbl-ep/listKeys?{Preview}", null, 200);
        yield return new("OnlineEndpoints_RegenerateKeys", Need.ArmContributor, "POST", $"{ep}/tbl-ep/regenerateKeys?{Preview}", """{"keyType":"Primary","keyValue":"a"}""", 400);
        yield return new("OnlineDeployments_List", Need.ArmReader, "GET", $"{ep}/tbl-ep/deployments?{Preview}", null, 200);
        yield return new("OnlineDeployments_CreateOrUpdate", Need.ArmContributor, "PUT", $"{ep}/tbl-ep/deployments/d?{Preview}", "{}", 400);
        yield return new("OnlineDeployments_Get", Need.ArmReader, "GET", $"{ep}/tbl-ep/deployments/{none}?{Preview}", null, 404);
        yield return new("OnlineDeployments_Delete", Need.ArmContributor, "DELETE", $"{ep}/tbl-ep/deployments/{none}?{Preview}", null, 204);

        // Data planes: execution, history, artifacts, model management.
        yield return new("Runs_StartRun", Need.ArmContributor, "POST", $"/execution/v1.0{w}/experiments/tbl/startrun?{V}", "{}", 400);
        yield return new("Runs_CancelRunWithUri", Need.ArmContributor, "POST", $"/execution/v1.0{w}/experiments/tbl/runId/{none}/cancel?{V}", null, 404);
        yield return new("Experiments_List", Need.ArmReader, "GET", $"/history/v1.0{w}/experiments?{V}", null, 200);
        yield return new("Runs_List", Need.ArmReader, "GET", $"/history/v1.0{w}/experiments/tbl/runs?{V}", null, 200);
        yield return new("Runs_Get", Need.ArmReader, "GET", $"/history/v1.0{w}/experiments/tbl/runs/{run}?{V}", null, 200);
        yield return new("Runs_GetDetails", Need.ArmReader, "GET", $"/history/v1.0{w}/experiments/tbl/runs/{run}/details?{V}", null, 200);
        yield return new("RunArtifacts_ListInContainer", Need.ArmReader, "GET", $"/history/v1.0{w}/experiments/tbl/runs/{run}/artifacts?{V}", null, 200);
        var artifacts = $"/artifact/v2.0{w}/artifacts/LocalUpload/tbl";
        yield return new("Artifacts_ListInContainer", Need.ArmReader, "GET", $"{artifacts}?{V}", null, 200);
        yield return new("Artifacts_Download", Need.ArmReader, "GET", $"{artifacts}/content?path=f.txt&{V}", null, 200);
        yield return new("Artifacts_Upload", Need.ArmContributor, "POST", $"{artifacts}/content?path=f.txt&{V}", "x", 200, ContentType: "text/plain");
        yield return new("Artifacts_UploadPut", Need.ArmContributor, "PUT", $"{artifacts}/content?path=f.txt&{V}", "x", 200, ContentType: "text/plain");
        var models = $"/modelmanagement/v1.0{w}/models";
        yield return new("MLModels_Register", Need.ArmContributor, "POST", $"{models}?{V}", "{}", 400);
        yield return new("MLModels_ListQuery", Need.ArmReader, "GET", $"{models}?{V}", null, 200);
        yield return new("MLModels_QueryById", Need.ArmReader, "GET", $"{models}/m:1?{V}", null, 200);
        yield return new("MLModels_Patch", Need.ArmContributor, "PATCH", $"{models}/m:1?{V}", notJson, 400);
        yield return new("MLModels_Delete", Need.ArmContributor, "DELETE", $"{models}/{none}:1?{V}", null, 204);
    }

    private async Task<Dictionary<string, (string Method, string Template, string Declared)>> DocumentOperationsAsync()
    {
        using var response = await world.Clients[Caller.Anonymous].GetAsync("/swagger/v1/swagger.json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = new Dictionary<string, (string, string, string)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("operationId", out _)))
            {
                var declared = operation.Value.TryGetProperty("x-ferry-permission", out var permission)
                    ? $"{permission.GetProperty("plane").GetString()}:{permission.GetProperty("role").GetString()}"
                    : "nothing";
                operations[operation.Value.GetProperty("operationId").GetString()!] = (operation.Name, path.Name, declared);
            }
        }

        return operations;
    }

    // The document shows catch-all parameters plainly ({path} of the signed run files).
    private static bool Matches(string template, string path) =>
        Regex.IsMatch(
            path.Split('?')[0],
            "^" + TemplateParameter().Replace(Regex.Escape(template), p => p.Value == "\\{path}" ? ".+" : "[^/]+") + "/?$",
            RegexOptions.IgnoreCase);

    private static string? CodeOf(string body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error.GetProperty("code").GetString()
                : root.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string body) => body.Length > 160 ? body[..160] + "…" : body;

    [GeneratedRegex(@"\\\{[^}]+}")]
    private static partial Regex TemplateParameter();

    /// <summary>The role a row says the operation needs, in the document's terms.</summary>
    internal enum Need
    {
        Public,
        SignedIn,
        Reader,
        Contributor,
        Owner,
        ArmReader,
        ArmContributor,
    }

    /// <summary>One operation: what it needs, a request, and its answer once authorized (for whom it differs, that too).</summary>
    private sealed record Row(
        string OperationId, Need Need, string Method, string Path, string? Body, int Allowed,
        int? NotOwner = null, int? Owner = null, string ContentType = "application/json", bool Unscoped = false)
    {
        public HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
            }

            return request;
        }
    }
}

/// <summary>The document's spelling of each <see cref="AuthorizationTableTests.Need"/>.</summary>
internal static class NeedExtensions
{
    public static string Declared(this AuthorizationTableTests.Need need) => need switch
    {
        AuthorizationTableTests.Need.Public => "Public:",
        AuthorizationTableTests.Need.SignedIn => "SignedIn:",
        AuthorizationTableTests.Need.Reader => "MLServer:Reader",
        AuthorizationTableTests.Need.Contributor => "MLServer:Contributor",
        AuthorizationTableTests.Need.Owner => "MLServer:Owner",
        AuthorizationTableTests.Need.ArmReader => "AzureML:Reader",
        _ => "AzureML:Contributor",
    };
}
