using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Ferry.Core.Runs;
using Ferry.Core.Text;
using Ferry.Execution.Runs;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl.Contracts;
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
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

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

    private static async Task<Ok<RunIdResponse>> StartAsync(
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
        var chosen = request.Query["runId"].ToString() is { Length: > 0 } runId ? runId : null; // absent or empty: one is made
        var run = await runs.StartAsync(user.Owner(), resourceGroupName, workspaceName, experimentName, definition, zip, cancellationToken, chosen);
        return TypedResults.Ok(new RunIdResponse(run.RunId));
    }

    private static async Task<Ok<RunIdResponse>> CancelAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, CancellationToken cancellationToken)
    {
        var run = await runs.CancelAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        return TypedResults.Ok(new RunIdResponse(run.RunId));
    }

    private static async Task<Ok<ArmList<ExperimentResponse>>> ListExperimentsAsync(string resourceGroupName, string workspaceName, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ExperimentResponse>([.. (await runs.ListExperimentsAsync(resourceGroupName, workspaceName, cancellationToken))
            .Select(e => new ExperimentResponse(e.ExperimentId, e.Name, Description: null, e.CreatedAt, NoTags, ArchivedTime: null))]));

    private static async Task<Ok<ArmList<RunResponse>>> ListRunsAsync(
        string resourceGroupName, string workspaceName, string experimentName, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<RunResponse>([.. (await runs.ListAsync(resourceGroupName, workspaceName, experimentName, cancellationToken)).Select(Shape)]));

    private static async Task<Ok<RunResponse>> GetRunAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, CancellationToken cancellationToken) =>
        TypedResults.Ok(Shape(await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken)));

    private static async Task<Ok<RunResponse>> GetDetailsAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, HttpContext context, RunService runs, UrlSigner signer, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        var logFiles = new Dictionary<string, string>();
        if (ConfinedFiles.Exists(run.Directory, RunDispatcher.DriverLog))
        {
            var expires = (time.GetUtcNow() + LogUrlLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = signer.Sign($"{run.RunId}/{RunDispatcher.DriverLog}/{expires}");
            logFiles[RunDispatcher.DriverLog] = $"{ArmLinks.BaseUrl(context)}/runfiles/{run.RunId}/{RunDispatcher.DriverLog}?se={expires}&sig={signature}";
        }

        return TypedResults.Ok(Shape(run) with { LogFiles = logFiles });
    }

    private static async Task<Ok<ArmList<ArtifactResponse>>> ListRunArtifactsAsync(
        string resourceGroupName, string workspaceName, string experimentName, string runId, RunService runs, ArtifactService artifacts, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(resourceGroupName, workspaceName, experimentName, runId, cancellationToken);
        return await ListArtifactsAsync(resourceGroupName, workspaceName, ArtifactService.RunOrigin, $"dcid.{run.RunId}", artifacts, cancellationToken);
    }

    private static async Task<Ok<ArmList<ArtifactResponse>>> ListArtifactsAsync(
        string resourceGroupName, string workspaceName, string origin, string container, ArtifactService artifacts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ArmList<ArtifactResponse>([.. (await artifacts.ListAsync(resourceGroupName, workspaceName, origin, container, cancellationToken)).Select(p => Artifact(origin, container, p))]));

    private static async Task<FileStreamHttpResult> DownloadAsync(
        string resourceGroupName, string workspaceName, string origin, string container, string? path, ArtifactService artifacts, CancellationToken cancellationToken) =>
        TypedResults.File(
            await artifacts.OpenAsync(resourceGroupName, workspaceName, origin, container, path ?? "", cancellationToken), "application/octet-stream", Path.GetFileName(path));

    private static async Task<Ok<ArtifactResponse>> UploadAsync(
        string resourceGroupName, string workspaceName, string origin, string container, string? path, HttpRequest request, ArtifactService artifacts, CancellationToken cancellationToken)
    {
        await artifacts.PutAsync(resourceGroupName, workspaceName, origin, container, path ?? "", request.Body, cancellationToken);
        return TypedResults.Ok(Artifact(origin, container, path ?? ""));
    }

    private static ArtifactResponse Artifact(string origin, string container, string path) => new($"{origin}/{container}/{path}", origin, container, path);

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
        // Ranges let a reader tail a growing log (Range: bytes=N-) instead of reading it whole each time.
        return TypedResults.Stream(file ?? throw FerryException.NotFound($"The run has no file '{path}'."), "text/plain", enableRangeProcessing: true);
    }

    /// <summary>
    /// The stored definition, or null for one stored before startrun refused unpaired surrogates: it cannot be written
    /// as JSON, and one such run must not break every read of its experiment.
    /// </summary>
    private static JsonNode? DefinitionOf(Run run) => JsonNode.Parse(run.Definition) is var definition && UnpairedSurrogates.IsEncodable(definition) ? definition : null;

    private static RunResponse Shape(Run run)
    {
        var metrics = RunMetrics.Read(run);
        return new RunResponse(
            run.RunId,
            run.RunNumber,
            run.RunId,
            run.Experiment.ExperimentId,
            Enum.Parse<RunState>(run.Status),
            "azureml.scriptrun",
            run.Target,
            run.Script,
            run.CreatedAt,
            run.StartedAt,
            run.EndedAt,
            NoTags,
            NoTags,
            DefinitionOf(run),
            metrics.ToDictionary(m => m.Key, m => m.Value[^1]),
            metrics.ToDictionary(m => m.Key, m => (IReadOnlyList<JsonNode?>)m.Value),
            run.Error is { } error && run.Status is RunStatus.Failed or RunStatus.Canceled
                ? new RunErrorResponse(new OperationError(run.Status == RunStatus.Failed ? "UserError" : "Canceled", error))
                : null);
    }
}
