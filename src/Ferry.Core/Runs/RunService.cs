using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Core.Arm;
using Ferry.Core.Changes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Ferry.Core.Text;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Runs;

/// <summary>
/// Submits runs the way <c>startrun</c> does: a project zip (checked against zip-slip and its
/// unpacked size) and a run definition (keys in any case), queued for its compute target.
/// </summary>
public sealed partial class RunService(
    IRunStore store, WorkspaceService workspaces, ComputeService computes, IRunDispatcher dispatcher, IOptions<WorkspaceOptions> workspaceOptions, IOptions<RunOptions> options,
    FerryMetrics metrics, IChangeNotices notices, TimeProvider time) : IChangeSubscriber
{

    /// <summary>Submits a run; <paramref name="chosenRunId"/> is the caller's own id for it (startrun's <c>runId</c>), else one is made.</summary>
    public async Task<Run> StartAsync(
        string submittedBy, string resourceGroup, string workspaceName, string experimentName, string definitionJson, Stream projectZip, CancellationToken cancellationToken, string? chosenRunId = null)
    {
        if (!ExperimentName().IsMatch(experimentName))
        {
            throw UserError($"Experiment name '{experimentName}' is invalid: use 1 to 255 letters, digits, '-' and '_', starting with a letter or digit.");
        }

        if (chosenRunId is not null && !RunIdPattern().IsMatch(chosenRunId))
        {
            throw UserError($"runId '{FileNames.Printable(chosenRunId)}' is invalid: use 1 to 256 letters, digits, '-' and '_', starting with a letter or digit.");
        }

        var workspace = await workspaces.GetAsync(resourceGroup, workspaceName, cancellationToken);
        await dispatcher.EnsureCanRunAsync();
        var definition = ParseDefinition(definitionJson);
        if (!string.Equals(definition.Target, "local", StringComparison.OrdinalIgnoreCase))
        {
            var compute = await computes.GetAsync(workspace.ResourceGroup, workspace.Name, definition.Target, cancellationToken);
            if (compute.ProvisioningState != "Succeeded")
            {
                throw UserError($"Compute target '{definition.Target}' is {compute.ProvisioningState}, not Succeeded.");
            }
        }

        // A quick refusal before the project is unpacked; the store counts again as it adds the run, in its write
        // transaction, so that submissions racing through any nodes cannot pass the cap together.
        var max = options.Value.MaxActiveRunsPerUser;
        var active = await store.CountActiveAsync(submittedBy, cancellationToken);
        if (active >= max)
        {
            throw TooManyActive(active, max);
        }

        // A chosen id is the caller's to pick, so it may be taken; its directory gets a name of its own all the same, so that two
        // submissions racing with one id never unpack into (nor, the loser, delete) the same directory.
        var made = $"{experimentName}_{time.GetUtcNow().ToUnixTimeMilliseconds()}_{Guid.NewGuid().ToString("N")[..8]}";
        var runId = chosenRunId ?? made;
        if (chosenRunId is not null && await store.FindAsync(chosenRunId, cancellationToken) is not null)
        {
            throw new FerryException(FerryErrorKind.Conflict, $"A run with the id '{chosenRunId}' exists already; choose another runId, or leave it out to have one made.", code: "UserError");
        }

        var directory = Path.Combine(Path.GetFullPath(workspaceOptions.Value.Directory), workspace.WorkspaceId, "runs", chosenRunId is null ? made : $"{chosenRunId}.{made}");
        Directory.CreateDirectory(directory);
        try
        {
            Unpack(projectZip, directory);
            if (!File.Exists(Path.Combine(directory, definition.Script)))
            {
                throw UserError($"The project has no script '{definition.Script}' (Configuration.Script names a file at the root of projectZipFile).");
            }

            var now = time.GetUtcNow();
            var experiment = await store.GetOrAddExperimentAsync(workspace.ResourceGroup, workspace.Name, experimentName, now, cancellationToken);
            var run = await store.AddAsync(
                new Run(runId, experiment, 0, RunStatus.NotStarted, definition.Target, definition.Script, definition.Arguments, definitionJson, definition.MaxDurationSeconds, directory, now, null, null, null, submittedBy),
                max,
                cancellationToken) ?? throw TooManyActive(max, max);
            await store.MoveAsync(metrics, run.RunId, RunStatus.Queued, now, null, cancellationToken);
            dispatcher.Wake();
            return run with { Status = RunStatus.Queued };
        }
        catch
        {
            ConfinedFiles.DeleteTree(directory);
            throw;
        }
    }

    private static FerryException TooManyActive(int active, int max) =>
        new(
            FerryErrorKind.TooManyRequests,
            $"You have {active} runs queued or running; at most {max} are allowed at once. Wait for one to end or cancel one.",
            TimeSpan.FromSeconds(30),
            code: "TooManyActiveRuns");

    public async Task<Run> GetAsync(string resourceGroup, string workspace, string experimentName, string runId, CancellationToken cancellationToken)
    {
        var run = await store.FindAsync(runId, cancellationToken);
        return run is not null && string.Equals(run.Experiment.ResourceGroup, resourceGroup, StringComparison.OrdinalIgnoreCase)
            && string.Equals(run.Experiment.Workspace, workspace, StringComparison.OrdinalIgnoreCase)
            && string.Equals(run.Experiment.Name, experimentName, StringComparison.OrdinalIgnoreCase)
            ? run
            : throw new FerryException(FerryErrorKind.NotFound, $"Run '{runId}' was not found in experiment '{experimentName}'.", code: "UserError");
    }

    public async Task<IReadOnlyList<Run>> ListAsync(string resourceGroup, string workspace, string experimentName, CancellationToken cancellationToken)
    {
        var experiments = await store.ListExperimentsAsync(resourceGroup, workspace, cancellationToken);
        var experiment = experiments.FirstOrDefault(e => string.Equals(e.Name, experimentName, StringComparison.OrdinalIgnoreCase))
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Experiment '{experimentName}' was not found.", code: "UserError");
        return await store.ListAsync(experiment.ExperimentId, cancellationToken);
    }

    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        return await store.ListExperimentsAsync(found.ResourceGroup, found.Name, cancellationToken);
    }

    /// <summary>Cancels a queued run at once, or stops a running one (it ends Canceled).</summary>
    public async Task<Run> CancelAsync(string resourceGroup, string workspace, string experimentName, string runId, CancellationToken cancellationToken)
    {
        var run = await GetAsync(resourceGroup, workspace, experimentName, runId, cancellationToken);
        await CancelAsync(run, cancellationToken);
        return run;
    }

    /// <summary>Cancels every run of the workspace not ended yet (the workspace is being deleted).</summary>
    public async Task CancelAllAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        foreach (var experiment in await store.ListExperimentsAsync(resourceGroup, workspace, cancellationToken))
        {
            foreach (var run in await store.ListAsync(experiment.ExperimentId, cancellationToken))
            {
                await CancelAsync(run, cancellationToken);
            }
        }
    }

    private async Task CancelAsync(Run run, CancellationToken cancellationToken)
    {
        if (!run.IsTerminal && !dispatcher.Cancel(run.RunId))
        {
            // Not running here: queued (canceled now), or running on another node, which is told to stop it and
            // ends it Canceled (as is one that node claimed since the run was read).
            if (run.Status is RunStatus.NotStarted or RunStatus.Queued)
            {
                await store.MoveAsync(metrics, run.RunId, RunStatus.Canceled, time.GetUtcNow(), "Canceled before it started.", cancellationToken);
            }

            await store.RequestCancelAsync(run.RunId, cancellationToken); // kept for a node that misses the notice
            await notices.PublishAsync(ChangeTopics.RunCancel, run.RunId, CancellationToken.None);
        }
    }

    string IChangeSubscriber.Topic => ChangeTopics.RunCancel;

    /// <summary>Another node was asked to cancel a run: stop it if it runs here.</summary>
    Task IChangeSubscriber.ApplyAsync(string key, CancellationToken cancellationToken)
    {
        dispatcher.Cancel(key);
        return Task.CompletedTask;
    }

    /// <summary>Notices may have been missed: every run asked to stop stops if it runs here.</summary>
    async Task IChangeSubscriber.ResyncAsync(CancellationToken cancellationToken)
    {
        foreach (var runId in await store.ListCancelRequestedAsync(cancellationToken))
        {
            dispatcher.Cancel(runId);
        }
    }

    private void Unpack(Stream projectZip, string directory)
    {
        if (projectZip.CanSeek && projectZip.Length == 0)
        {
            throw UserError("projectZipFile is empty; send a zip archive of the project.");
        }

        ZipArchive zip;
        IReadOnlyList<ZipArchiveEntry> entries;
        try
        {
            zip = new ZipArchive(projectZip, ZipArchiveMode.Read, leaveOpen: true);
            entries = zip.Entries;
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IOException)
        {
            throw UserError("projectZipFile is not a zip archive.");
        }

        using (zip)
        {
            var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
            // Declared sizes can be anything (zip64 allows 2^64): compare against what is left, never sum past the limit.
            var left = options.Value.MaxProjectBytes;
            if (entries.Any(e => (left -= e.Length) < 0 || e.Length < 0))
            {
                throw new FerryException(FerryErrorKind.PayloadTooLarge, $"projectZipFile unpacks to more than {options.Value.MaxProjectBytes} bytes.", code: "UserError");
            }

            foreach (var entry in entries)
            {
                if (FileNames.PathProblem(entry.FullName.TrimEnd('/')) is { } problem)
                {
                    throw UserError($"projectZipFile holds the entry '{FileNames.Printable(entry.FullName)}', which cannot be unpacked: {problem}; nothing was unpacked.");
                }

                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(root, StringComparison.Ordinal) || Path.IsPathRooted(entry.FullName))
                {
                    throw UserError($"projectZipFile holds '{FileNames.Printable(entry.FullName)}', which points outside the project (zip-slip); nothing was unpacked.");
                }
            }

            foreach (var entry in entries)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                try
                {
                    if (entry.FullName.EndsWith('/'))
                    {
                        Directory.CreateDirectory(target);
                        continue;
                    }

                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target, overwrite: true);
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    // A file and a directory of one name, or entry data that does not inflate: the zip's fault.
                    throw UserError($"projectZipFile's entry '{FileNames.Printable(entry.FullName)}' could not be unpacked: it is corrupt, or a file and a directory share its name.");
                }
            }
        }
    }

    /// <summary>The parts of a run definition this server acts on; keys match in any case, as the service's did.</summary>
    private static (string Script, IReadOnlyList<string> Arguments, string Target, int? MaxDurationSeconds) ParseDefinition(string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException ex)
        {
            throw UserError($"runDefinitionFile is not valid JSON: {ex.Message}");
        }

        // The whole definition is kept and answered by every read of the run, keys this server ignores too.
        if (UnpairedSurrogates.Problem(root) is { } problem)
        {
            throw UserError($"runDefinitionFile is not valid: {problem}");
        }

        var configuration = Property(root, "Configuration") ?? throw UserError("runDefinitionFile needs a 'Configuration' object.");
        var script = Property(configuration, "Script") is { ValueKind: JsonValueKind.String } s ? s.GetString()! : throw UserError("Configuration.Script is required: the entry script's name.");
        if (script.Length == 0 || Path.IsPathRooted(script) || script.Split('/', '\\').Contains(".."))
        {
            throw UserError($"Configuration.Script '{script}' must name a file inside the project.");
        }

        var arguments = Property(configuration, "Arguments") is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList()
            : [];
        var target = Property(configuration, "Target") is { ValueKind: JsonValueKind.String } t && t.GetString() is { Length: > 0 } name ? name : "local";
        int? maxSeconds = Property(configuration, "MaxRunDurationSeconds") is { ValueKind: JsonValueKind.Number } m && m.TryGetInt32(out var seconds) && seconds > 0 ? seconds : null;
        return (script, arguments, target, maxSeconds);
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value;
                }
            }
        }

        return null;
    }

    private static FerryException UserError(string message) => new(FerryErrorKind.BadRequest, message, code: "UserError");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}\z")]
    private static partial Regex ExperimentName();

    /// <summary>Azure ML's pattern for a chosen run id, <c>^[a-zA-Z0-9][\w-]{0,255}$</c>, in ASCII.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,255}\z")]
    private static partial Regex RunIdPattern();
}
