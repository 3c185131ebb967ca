using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Ferry.Core.Runs;
using Ferry.Execution.Runs;
using Ferry.Server.Auth;
using Ferry.Server.Errors;
using Ferry.Server.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.AzureMl;

/// <summary>
/// Experiments and runs on the data plane: <c>execution/v1.0/.../startrun</c> and <c>cancel</c>,
/// <c>history/v1.0/...</c> for experiments, runs and run details. Log files are handed out as
/// signed, expiring URLs that need no token, like the service's SAS URLs.
/// </summary>
internal static class RunEndpoints
{
    private const string Stem = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}";
    private static readonly TimeSpan LogUrlLifetime = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapRunEndpoints(this IEndpointRouteBuilder app, IEndpointRouteBuilder anonymous)
    {
        var execution = app.MapGroup($"/execution/v1.0{Stem}/experiments/{{experimentName}}").WithTags("Azure ML: runs");
        execution.MapPost("/startrun", StartAsync).WithName("Runs_StartRun").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/submit/action")).DisableAntiforgery()
            .WithRequestContent("multipart/form-data", "projectZipFile", "runDefinitionFile");
        execution.MapPost("/runId/{runId}/cancel", CancelAsync).WithName("Runs_CancelRunWithUri").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/write"));

        var history = app.MapGroup($"/history/v1.0{Stem}/experiments").WithTags("Azure ML: runs");
        history.MapGet("/", ListExperimentsAsync).WithName("Experiments_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/read"));
        history.MapGet("/{experimentName}/runs", ListRunsAsync).WithName("Runs_List").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/read"));
        history.MapGet("/{experimentName}/runs/{runId}", GetRunAsync).WithName("Runs_Get").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/read"));
        history.MapGet("/{experimentName}/runs/{runId}/details", GetDetailsAsync).WithName("Runs_GetDetails").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/read"));
        history.MapGet("/{experimentName}/runs/{runId}/artifacts", ListRunArtifactsAsync).WithName("RunArtifacts_ListInContainer").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/experiments/runs/read"));

        var artifacts = app.MapGroup($"/artifact/v2.0{Stem}/artifacts/{{origin}}/{{container}}").WithTags("Azure ML: artifacts");
        artifacts.MapGet("/", ListArtifactsAsync).WithName("Artifacts_ListInContainer").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/artifacts/read"));
        artifacts.MapGet("/content", DownloadAsync).WithName("Artifacts_Download").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/artifacts/read"));
        artifacts.MapPost("/content", UploadAsync).WithName("Artifacts_Upload").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/artifacts/write"));
        artifacts.MapPut("/content", UploadAsync).WithName("Artifacts_UploadPut").RequirePermission(Permission.Arm($"{ArmActions.Workspaces}/artifacts/write"));

        anonymous.MapGet("/runfiles/{runId}/{**path}", GetSignedFileAsync).WithName("getSignedRunFile").WithTags("Azure ML: runs").RequirePermission(Permission.Public);
        return app;
    }

    private static async Task<Ok<JsonObject>> StartAsync(
        string resourceGroupName, string workspaceName, string experimentName, HttpRequest request, ClaimsPrincipal user, RunService runs, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw new FerryException(FerryErrorKind.BadRequest, "Send multipart/form-data with the parts 'runDefinitionFile' and 'projectZipFile'.", code: "UserError");
        }

        var form = await RequestBodies.ReadFormAsync(request, cancellationToken);
        var project = form.Files.GetFile("projectZipFile")
            ?? throw new FerryException(FerryErrorKind.BadRequest, "The form has no 'projectZipFile' part.", code: "UserError");
        string definition;
        if (form.Files.GetFile("runDefinitionFile") is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream());
            definition = await reader.ReadToEndAsync(cancellationToken);
        }
        else
        {
            definition = form["runDefinitionFile"].ToString() is { Length: > 0 } text
                ? text
                : throw new FerryException(FerryErrorKind.BadRequest, "The form has no 'runDefinitionFile' part.", code: "UserError");
        }

        await using var zip = project.OpenReadStream();
        var run = await runs.StartAsync(user.Owner(), resourceGroupName, workspaceName, experimentName, definition, zip, cancellationToken);
        return TypedResults.Ok(new JsonObject { ["runId"] = run.RunId });
    }

    private static async Task<Ok<JsonObject>> CancelAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, CancellationToken cancellationToken)
    {
        var run = await runs.CancelAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        return TypedResults.Ok(new JsonObject { ["runId"] = run.RunId });
    }

    private static async Task<Ok<JsonObject>> ListExperimentsAsync(string resourceGroupName, string workspaceName, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await runs.ListExperimentsAsync(resourceGroupName, workspaceName, cancellationToken)).Select(e => (JsonNode)new JsonObject
            {
                ["experimentId"] = e.ExperimentId,
                ["name"] = e.Name,
                ["description"] = null,
                ["createdUtc"] = e.CreatedAt,
                ["tags"] = new JsonObject(),
                ["archivedTime"] = null,
            })]),
        });

    private static async Task<Ok<JsonObject>> ListRunsAsync(
        string resourceGroupName, string workspaceName, string experimentName, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await runs.ListAsync(resourceGroupName, workspaceName, experimentName, cancellationToken)).Select(r => (JsonNode)Shape(r))]),
        });

    private static async Task<Ok<JsonObject>> GetRunAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken)));

    private static async Task<Ok<JsonObject>> GetDetailsAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, HttpContext context, RunService runs, UrlSigner signer, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        var logFiles = new JsonObject();
        if (ConfinedFiles.Exists(run.Directory, RunDispatcher.DriverLog))
        {
            var expires = (time.GetUtcNow() + LogUrlLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = signer.Sign($"{run.RunId}/{RunDispatcher.DriverLog}/{expires}");
            logFiles[RunDispatcher.DriverLog] = $"{ArmLinks.BaseUrl(context)}/runfiles/{run.RunId}/{RunDispatcher.DriverLog}?se={expires}&sig={signature}";
        }

        var details = Shape(run);
        details["logFiles"] = logFiles;
        return TypedResults.Ok(details);
    }

    private static async Task<Ok<JsonObject>> ListRunArtifactsAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, ArtifactService artifacts, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        return await ListArtifactsAsync(resourceGroupName, workspaceName, ArtifactService.RunOrigin, $"dcid.{run.RunId}", artifacts, cancellationToken);
    }

    private static async Task<Ok<JsonObject>> ListArtifactsAsync(
        string resourceGroupName, string workspaceName, string origin, string container, ArtifactService artifacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new JsonObject
        {
            ["value"] = new JsonArray([.. (await artifacts.ListAsync(resourceGroupName, workspaceName, origin, container, cancellationToken)).Select(p => (JsonNode)Artifact(origin, container, p))]),
        });

    private static async Task<FileStreamHttpResult> DownloadAsync(
        string resourceGroupName, string workspaceName, string origin, string container, string? path, ArtifactService artifacts, CancellationToken cancellationToken) =>
        TypedResults.File(
            await artifacts.OpenAsync(resourceGroupName, workspaceName, origin, container, path ?? "", cancellationToken), "application/octet-stream", Path.GetFileName(path));

    private static async Task<Ok<JsonObject>> UploadAsync(
        string resourceGroupName, string workspaceName, string origin, string container, string? path, HttpRequest request, ArtifactService artifacts, CancellationToken cancellationToken)
    {
        await artifacts.PutAsync(resourceGroupName, workspaceName, origin, container, path ?? "", request.Body, cancellationToken);
        return TypedResults.Ok(Artifact(origin, container, path ?? ""));
    }

    private static JsonObject Artifact(string origin, string container, string path) => new()
    {
        ["artifactId"] = $"{origin}/{container}/{path}",
        ["origin"] = origin,
        ["container"] = container,
        ["path"] = path,
    };

    /// <summary>A run's file by a signed URL: no token, but a valid signature and an unexpired <c>se</c>.</summary>
    private static async Task<IResult> GetSignedFileAsync(
        string runId, string path, string? se, string? sig, IRunStore store, UrlSigner signer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (se is null || sig is null || !long.TryParse(se, CultureInfo.InvariantCulture, out var expires) || !signer.Verify($"{runId}/{path}/{se}", sig))
        {
            throw FerryException.Forbidden("The URL's signature is not valid for this file.");
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() > expires)
        {
            throw FerryException.Forbidden("The URL has expired; get a fresh one from the run's details.");
        }

        var run = await store.FindAsync(runId, cancellationToken) ?? throw FerryException.NotFound($"There is no run '{runId}'.");
        // The run's directory is user code's: its links are never followed (a log swapped for a link to a key reads as missing).
        var file = ConfinedFiles.IsPlainRelativePath(path) && Directory.Exists(run.Directory) ? ConfinedFiles.OpenRead(run.Directory, path) : null;
        return TypedResults.Stream(file ?? throw FerryException.NotFound($"The run has no file '{path}'."), "text/plain");
    }

    private static JsonObject Shape(Run run)
    {
        var shape = new JsonObject
        {
            ["runId"] = run.RunId,
            ["runNumber"] = run.RunNumber,
            ["rootRunId"] = run.RunId,
            ["experimentId"] = run.Experiment.ExperimentId,
            ["status"] = run.Status,
            ["runType"] = "azureml.scriptrun",
            ["target"] = run.Target,
            ["scriptName"] = run.Script,
            ["createdUtc"] = run.CreatedAt,
            ["startTimeUtc"] = run.StartedAt,
            ["endTimeUtc"] = run.EndedAt,
            ["properties"] = new JsonObject(),
            ["tags"] = new JsonObject(),
            ["runDefinition"] = JsonNode.Parse(run.Definition),
        };
        var metrics = RunMetrics.Read(run);
        shape["metrics"] = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Key, m.Value[^1]?.DeepClone())));
        shape["metricHistory"] = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)new JsonArray([.. m.Value.Select(v => v?.DeepClone())]))));
        if (run.Error is { } error && run.Status is RunStatus.Failed or RunStatus.Canceled)
        {
            shape["error"] = new JsonObject { ["error"] = new JsonObject { ["code"] = run.Status == RunStatus.Failed ? "UserError" : "Canceled", ["message"] = error } };
        }

        return shape;
    }
}
