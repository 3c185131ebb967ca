using Ferry.Core.Execution;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Arm;
using Ferry.Core.Changes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Models;
using Ferry.Core.Runs;
using Ferry.Core.Snapshots;
using Ferry.Core.Text;
using Ferry.Core.WebServices;

namespace Ferry.Core.OnlineEndpoints;

/// <summary>
/// Online endpoints with Azure ML's scoring convention: each deployment's workers load the model
/// (<c>AZUREML_MODEL_DIR</c>) and the code version's scoring script, call <c>init()</c> once, then
/// <c>run(raw_data)</c> per request with the raw body. Deployments run on the same warm pools as
/// web services (<c>scaleSettings.instanceCount</c> workers); traffic splits by percentage.
/// </summary>
public sealed partial class OnlineEndpointService(
    IOnlineEndpointStore store,
    WorkspaceService workspaces,
    ModelService models,
    CodeVersionService codes,
    ArtifactService artifacts,
    IBlobStore blobs,
    IServiceRunner runner,
    ArmOperationService operations,
    IChangeNotices notices,
    FerryMetrics metrics,
    TimeProvider time) : IChangeSubscriber
{
    /// <summary>What scoring needs, held in memory so a scoring call reads no row; every write forgets its endpoint's entry.</summary>
    private readonly ConcurrentDictionary<string, ScoringView> scoring = new();
    private long writes;

    public async Task<(OnlineEndpoint Endpoint, ArmOperation? Operation)> PutEndpointAsync(
        string resourceGroup, string workspaceName, string name, string? location, string? authMode, string? description, IReadOnlyDictionary<string, int>? traffic, CancellationToken cancellationToken)
    {
        ArmLocation.Check(location);
        if (!EndpointName().IsMatch(name))
        {
            throw Invalid($"Endpoint name '{name}' is invalid: use 3 to 32 letters, digits and '-', starting with a letter.");
        }

        var workspace = await workspaces.GetAsync(resourceGroup, workspaceName, cancellationToken);
        var existing = await store.FindAsync(workspace.ResourceGroup, workspace.Name, name, cancellationToken);
        if (existing is not null)
        {
            var updated = existing with { Description = description ?? existing.Description, Traffic = await CheckedTrafficAsync(existing, traffic, cancellationToken) ?? existing.Traffic };
            await store.UpsertAsync(updated, cancellationToken);
            await ForgetAsync(updated.ResourceGroup, updated.Workspace, updated.Name);
            return (updated, null);
        }

        if (!string.Equals(authMode, "Key", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid($"properties.authMode must be 'Key' (endpoints here are scored with keys); got '{authMode}'.");
        }

        var endpoint = new OnlineEndpoint(workspace.ResourceGroup, workspace.Name, name, location ?? workspace.Location, description, "Key", NewKey(), NewKey(),
            new Dictionary<string, int>(), "Creating", time.GetUtcNow());
        if (traffic is { Count: > 0 })
        {
            throw Invalid("A new endpoint has no deployments to send traffic to; set traffic after creating deployments.");
        }

        await store.UpsertAsync(endpoint, cancellationToken);
        var operation = await operations.StartAsync(
            $"{workspace.ResourceGroup}/{workspace.Name}/{name}",
            async () =>
            {
                if (!await SetStateAsync(endpoint, "Succeeded"))
                {
                    throw FerryException.NotFound($"Endpoint '{endpoint.Name}' was deleted while it was being created.");
                }
            },
            () => SetStateAsync(endpoint, "Failed"),
            cancellationToken);
        return (endpoint, operation);
    }

    public async Task<OnlineEndpoint> GetEndpointAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken) =>
        await store.FindAsync(resourceGroup, workspace, name, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Online endpoint '{name}' was not found.", code: "ResourceNotFound");

    public async Task<IReadOnlyList<OnlineEndpoint>> ListEndpointsAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        return await store.ListAsync(found.ResourceGroup, found.Name, cancellationToken);
    }

    public async Task<bool> DeleteEndpointAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken)
    {
        var deployments = await store.ListDeploymentsAsync(resourceGroup, workspace, name, cancellationToken);
        var deleted = await store.DeleteAsync(resourceGroup, workspace, name, cancellationToken);
        await ForgetAsync(resourceGroup, workspace, name);
        foreach (var deployment in deployments)
        {
            Retire(deployment);
        }

        return deleted;
    }

    /// <summary>
    /// The workspace is gone (its rows went with it): whatever this node still holds under it (an endpoint made
    /// while it was being deleted) stops scoring and gives up its pools, and the other nodes are told.
    /// </summary>
    public async Task ForgetWorkspaceAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        var prefix = ScoringKey(resourceGroup, workspace, "");
        foreach (var key in scoring.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            await ReconcileAsync(key, cancellationToken);
            await notices.PublishAsync(ChangeTopics.OnlineEndpoint, key, CancellationToken.None);
        }
    }

    /// <summary>The shortest key a caller may set with regenerateKeys.</summary>
    public const int MinimumKeyLength = 32;

    public async Task<OnlineEndpoint> RegenerateKeyAsync(string resourceGroup, string workspace, string name, string? keyType, string? keyValue, CancellationToken cancellationToken)
    {
        // A key of the caller's choosing must be as hard to guess as one of ours (24 random bytes, 32 characters).
        if (keyValue is { Length: > 0 and < MinimumKeyLength })
        {
            throw Invalid($"keyValue must be at least {MinimumKeyLength} characters long (got {keyValue.Length}); leave it out to have a strong key generated.");
        }

        if (keyValue is not null && keyValue.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Invalid("keyValue must hold no spaces or control characters: a key is sent in the Authorization header, where it could never match.");
        }

        var endpoint = await GetEndpointAsync(resourceGroup, workspace, name, cancellationToken);
        var key = string.IsNullOrEmpty(keyValue) ? NewKey() : keyValue;
        endpoint = keyType switch
        {
            "Primary" => endpoint with { PrimaryKey = key },
            "Secondary" => endpoint with { SecondaryKey = key },
            _ => throw Invalid($"keyType must be 'Primary' or 'Secondary'; got '{keyType}'."),
        };
        await store.UpsertAsync(endpoint, cancellationToken);
        await ForgetAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name);
        return endpoint;
    }

    /// <summary>Creates or replaces a deployment: its content (code files and the model) is built once, then its pool warms in the background.</summary>
    public async Task<(OnlineDeployment Deployment, ArmOperation Operation)> PutDeploymentAsync(
        string resourceGroup, string workspaceName, string endpointName, string name, string? modelId, string? codeId, string? scoringScript, int? instanceCount, CancellationToken cancellationToken)
    {
        if (!EndpointName().IsMatch(name))
        {
            throw Invalid($"Deployment name '{name}' is invalid: use 3 to 32 letters, digits and '-', starting with a letter.");
        }

        var endpoint = await GetEndpointAsync(resourceGroup, workspaceName, endpointName, cancellationToken);
        var workspace = await workspaces.GetAsync(endpoint.ResourceGroup, endpoint.Workspace, cancellationToken);
        var model = await models.GetAsync(workspace.ResourceGroup, workspace.Name, ModelIdOf(modelId), cancellationToken);
        var count = instanceCount ?? 1;
        if (count is < 1 or > 16)
        {
            throw Invalid($"properties.scaleSettings.instanceCount must be between 1 and 16; got {count}.");
        }

        string hash, codeRef = "";
        if (codeId is null && scoringScript is null)
        {
            hash = await StageOnnxModelAsync(workspace, model, cancellationToken); // no code: Azure ML's no-code deployment, scored natively
            scoringScript = "";
        }
        else
        {
            var (codeName, codeVersion) = CodeIdOf(codeId);
            var code = await codes.GetAsync(workspace.ResourceGroup, workspace.Name, codeName, codeVersion, cancellationToken);
            if (string.IsNullOrWhiteSpace(scoringScript))
            {
                throw Invalid("properties.codeConfiguration.scoringScript is required.");
            }

            hash = await BuildContentAsync(workspace, model, code, scoringScript, cancellationToken);
            codeRef = $"{code.Name}:{code.Version}";
        }

        var deployment = new OnlineDeployment(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, name, model.Id, codeRef, scoringScript, count, hash, "Creating", time.GetUtcNow());
        await store.UpsertDeploymentAsync(deployment, cancellationToken);
        await ForgetAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name);
        var operation = await operations.StartAsync(
            $"{endpoint.ResourceGroup}/{endpoint.Workspace}/{endpoint.Name}/{name}",
            async () =>
            {
                runner.Refresh(ServiceOf(deployment));
                if (!await SetStateAsync(deployment, "Succeeded"))
                {
                    throw FerryException.NotFound($"Deployment '{deployment.Name}' was deleted while it was being created.");
                }
            },
            () => SetStateAsync(deployment, "Failed"),
            cancellationToken);
        return (deployment, operation);
    }

    public async Task<OnlineDeployment> GetDeploymentAsync(string resourceGroup, string workspace, string endpoint, string name, CancellationToken cancellationToken) =>
        await store.FindDeploymentAsync(resourceGroup, workspace, endpoint, name, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Deployment '{name}' of endpoint '{endpoint}' was not found.", code: "ResourceNotFound");

    public Task<IReadOnlyList<OnlineDeployment>> ListDeploymentsAsync(string resourceGroup, string workspace, string endpoint, CancellationToken cancellationToken) =>
        store.ListDeploymentsAsync(resourceGroup, workspace, endpoint, cancellationToken);

    public async Task<bool> DeleteDeploymentAsync(string resourceGroup, string workspace, string endpointName, string name, CancellationToken cancellationToken)
    {
        var endpoint = await GetEndpointAsync(resourceGroup, workspace, endpointName, cancellationToken);
        var share = endpoint.Traffic.FirstOrDefault(t => string.Equals(t.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        if (share > 0)
        {
            throw Invalid($"Deployment '{name}' still takes {share}% of the traffic; move the traffic first.");
        }

        var deployment = await store.FindDeploymentAsync(resourceGroup, workspace, endpointName, name, cancellationToken);
        if (deployment is null)
        {
            return false;
        }

        await store.DeleteDeploymentAsync(resourceGroup, workspace, endpointName, name, cancellationToken);
        await ForgetAsync(resourceGroup, workspace, endpointName);
        Retire(deployment);
        return true;
    }

    /// <summary>
    /// Scores with a key: a deployment is picked by the traffic split and its <c>run(raw_data)</c> answers.
    /// The key is checked before the body is read, so a caller without one costs no memory.
    /// </summary>
    public async Task<JsonNode?> ScoreAsync(string resourceGroup, string workspace, string endpointName, string? key, Stream content, CancellationToken cancellationToken)
    {
        var view = await ScoringViewAsync(resourceGroup, workspace, endpointName, cancellationToken);
        if (view is null || key is null || !(SameKey(key, view.Endpoint.PrimaryKey) | SameKey(key, view.Endpoint.SecondaryKey)))
        {
            throw FerryException.Unauthorized("The key is not one of this endpoint's keys (key_auth_access_denied).");
        }

        string body;
        using (var reader = new StreamReader(content))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        var deploymentName = PickDeployment(view.Endpoint)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Endpoint '{endpointName}' sends no traffic to any deployment; set its traffic.", code: "NoValidDeployments");
        var deployment = view.Deployments.GetValueOrDefault(deploymentName)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Deployment '{deploymentName}' of endpoint '{endpointName}' was not found.", code: "ResourceNotFound");
        // Counted per deployment like a web service version (its pool's name and the deployment's), beside its pool's series.
        var service = ServiceOf(deployment);
        var result = await metrics.For(service.Name, service.Version).MeasureAsync(
            (runner, service, deployment.IsNative, body, cancellationToken),
            static s => s.runner.RunAsync(
                s.service,
                s.IsNative
                    ? new ServiceCall([new InputValue(NativeInput, FrameOf(s.body), "data.frame")], [], [])
                    : new ServiceCall([new InputValue("raw_data", JsonValue.Create(s.body), "character")], [], []),
                s.cancellationToken));
        return result.Success
            ? result.OutputParameters.Single().Value
            : throw new ScoringFailedException($"{result.ErrorMessage}\n{result.ConsoleOutput}".Trim());
    }

    /// <summary>The endpoint and its deployments from memory, read from the store once after each write.</summary>
    private async Task<ScoringView?> ScoringViewAsync(string resourceGroup, string workspace, string endpointName, CancellationToken cancellationToken)
    {
        var key = ScoringKey(resourceGroup, workspace, endpointName);
        if (scoring.TryGetValue(key, out var known))
        {
            return known;
        }

        var generation = Interlocked.Read(ref writes);
        var endpoint = await store.FindAsync(resourceGroup, workspace, endpointName, cancellationToken);
        if (endpoint is null)
        {
            return null;
        }

        var deployments = await store.ListDeploymentsAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, cancellationToken);
        var view = new ScoringView(endpoint, deployments.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase));
        if (Interlocked.Read(ref writes) == generation)
        {
            scoring[key] = view; // a write since the read would have made this stale; then the next call reads again
        }

        return view;
    }

    /// <summary>
    /// The end of provisioning: the state alone is written, so keys rotated meanwhile stay, and an
    /// endpoint deleted meanwhile stays deleted (false).
    /// </summary>
    private async Task<bool> SetStateAsync(OnlineEndpoint endpoint, string state)
    {
        var found = await store.SetStateAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, state, CancellationToken.None);
        await ForgetAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name);
        return found;
    }

    /// <summary>Likewise for a deployment; one deleted while it was provisioned gives its pool up again.</summary>
    private async Task<bool> SetStateAsync(OnlineDeployment deployment, string state)
    {
        var found = await store.SetDeploymentStateAsync(deployment.ResourceGroup, deployment.Workspace, deployment.Endpoint, deployment.Name, state, CancellationToken.None);
        await ForgetAsync(deployment.ResourceGroup, deployment.Workspace, deployment.Endpoint);
        if (!found)
        {
            Retire(deployment);
        }

        return found;
    }

    /// <summary>A deployment gone (here or on another node): its pool and its call counts go too.</summary>
    private void Retire(OnlineDeployment deployment)
    {
        runner.Remove(PoolName(deployment), deployment.Name);
        metrics.Forget(PoolName(deployment), deployment.Name);
    }

    /// <summary>After a write: this node's entry goes, and the other nodes are told to drop theirs.</summary>
    private async Task ForgetAsync(string resourceGroup, string workspace, string endpointName)
    {
        Interlocked.Increment(ref writes);
        scoring.TryRemove(ScoringKey(resourceGroup, workspace, endpointName), out _);
        await notices.PublishAsync(ChangeTopics.OnlineEndpoint, $"{resourceGroup}/{workspace}/{endpointName}", CancellationToken.None); // committed: tell the others even if the caller left
    }

    string IChangeSubscriber.Topic => ChangeTopics.OnlineEndpoint;

    /// <summary>Another node changed the endpoint (keys, traffic, deployments): the next scoring call reads it again.</summary>
    Task IChangeSubscriber.ApplyAsync(string key, CancellationToken cancellationToken) => ReconcileAsync(key.ToUpperInvariant(), cancellationToken);

    async Task IChangeSubscriber.ResyncAsync(CancellationToken cancellationToken)
    {
        foreach (var key in scoring.Keys.ToList())
        {
            await ReconcileAsync(key, cancellationToken);
        }
    }

    /// <summary>Forgets the endpoint's scoring view; the pools of its deployments this node served are dropped or renewed as the store now says.</summary>
    private async Task ReconcileAsync(string scoringKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref writes);
        if (!scoring.TryRemove(scoringKey, out var held))
        {
            return; // never scored here: nothing held, no pool
        }

        var endpoint = held.Endpoint;
        var current = (await store.ListDeploymentsAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, cancellationToken))
            .ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var old in held.Deployments.Values)
        {
            if (!current.TryGetValue(old.Name, out var now))
            {
                Retire(old);
            }
            else if (now.CreatedAt != old.CreatedAt || now.ContentHash != old.ContentHash || now.InstanceCount != old.InstanceCount)
            {
                runner.Refresh(ServiceOf(now));
            }
        }
    }

    private static string ScoringKey(string resourceGroup, string workspace, string endpointName) =>
        $"{resourceGroup}/{workspace}/{endpointName}".ToUpperInvariant();

    private sealed record ScoringView(OnlineEndpoint Endpoint, IReadOnlyDictionary<string, OnlineDeployment> Deployments);

    private async Task<IReadOnlyDictionary<string, int>?> CheckedTrafficAsync(OnlineEndpoint endpoint, IReadOnlyDictionary<string, int>? traffic, CancellationToken cancellationToken)
    {
        if (traffic is null)
        {
            return null;
        }

        var deployments = (await store.ListDeploymentsAsync(endpoint.ResourceGroup, endpoint.Workspace, endpoint.Name, cancellationToken))
            .ToDictionary(d => d.Name, d => d.Name, StringComparer.OrdinalIgnoreCase);
        var unknown = traffic.Keys.FirstOrDefault(k => !deployments.ContainsKey(k));
        if (unknown is not null)
        {
            throw Invalid($"Traffic names '{unknown}', which is not a deployment of endpoint '{endpoint.Name}'.");
        }

        if (traffic.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw Invalid($"Traffic names deployment '{twice.Key}' more than once (names ignore case).");
        }

        traffic = traffic.ToDictionary(t => deployments[t.Key], t => t.Value); // as the deployments spell them

        if (traffic.Values.Any(v => v is < 0 or > 100) || (traffic.Count > 0 && traffic.Values.Sum() != 100))
        {
            throw Invalid($"Traffic percentages must be between 0 and 100 and add up to 100; they add up to {traffic.Values.Sum()}.");
        }

        return traffic;
    }

    private static async Task AddEntryAsync(ZipArchive zip, string name, Stream content, CancellationToken cancellationToken)
    {
        await using var entry = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(cancellationToken);
        await content.CopyToAsync(entry, cancellationToken);
    }

    /// <summary>The deployment's files: the code version's uploads at the root and the model under azureml-models/{name}/{version}/.</summary>
    private async Task<string> BuildContentAsync(Workspace workspace, Model model, CodeVersion code, string scoringScript, CancellationToken cancellationToken)
    {
        var parts = code.Path.Split('/', 2);
        var files = await artifacts.ListAsync(workspace.ResourceGroup, workspace.Name, parts[0], parts[1], cancellationToken);
        if (!files.Contains(scoringScript))
        {
            throw Invalid($"Code version '{code.Name}:{code.Version}' has no scoring script '{scoringScript}'; it holds {string.Join(", ", files)}.");
        }

        await using var modelFile = await models.OpenArtifactAsync(workspace, model.Url, cancellationToken);
        var zipPath = Path.Combine(Path.GetTempPath(), $"ferry-deployment-{Guid.NewGuid():N}.zip");
        try
        {
            await using (var zip = await ZipFile.OpenAsync(zipPath, ZipArchiveMode.Create, cancellationToken))
            {
                foreach (var file in files)
                {
                    await using var content = await artifacts.OpenAsync(workspace.ResourceGroup, workspace.Name, parts[0], parts[1], file, cancellationToken);
                    await AddEntryAsync(zip, $"files/{file}", content, cancellationToken);
                }

                await AddEntryAsync(zip, $"files/azureml-models/{model.Name}/{model.Version}/{Path.GetFileName(model.Url)}", modelFile, cancellationToken);
            }

            return (await blobs.StageAsync(zipPath, cancellationToken)).Hash;
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    /// <summary>The model file of a no-code deployment, refused with a 400 unless it is an ONNX model Ferry scores, then moved into the blob store.</summary>
    private async Task<string> StageOnnxModelAsync(Workspace workspace, Model model, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ferry-deployment-model-{Guid.NewGuid():N}.onnx");
        try
        {
            await using (var source = await models.OpenArtifactAsync(workspace, model.Url, cancellationToken))
            await using (var target = File.Create(file))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            try
            {
                runner.CheckModel(file);
            }
            catch (FerryException e) when (e.Kind == FerryErrorKind.BadRequest)
            {
                throw Invalid($"A deployment without codeConfiguration scores its model natively, so model '{model.Id}' must be an ONNX model: {e.Message}");
            }

            return (await blobs.StageAsync(file, cancellationToken)).Hash;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// A native deployment's request: ML Server's <c>{"inputData": {column: [...]}}</c>, or Azure ML's
    /// <c>{"input_data": {"columns": [...], "data": [[...], ...]}}</c> (pandas' split orient).
    /// </summary>
    private static JsonNode FrameOf(string body)
    {
        const string Shapes = "The body must be {\"inputData\": {\"column\": [values...]}} or {\"input_data\": {\"columns\": [names...], \"data\": [[row...], ...]}}";
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Invalid($"{Shapes}; it is not JSON ({e.Message}).");
        }

        if (!UnpairedSurrogates.IsEncodable(request))
        {
            throw Invalid("The body holds a string or name with an unpaired UTF-16 surrogate (an escape from \\ud800 to \\udfff without its pair), which is not valid Unicode text.");
        }

        if (request is JsonObject o && o[NativeInput] is JsonObject frame)
        {
            return ParameterTypes.Problem(frame, "data.frame") is { } problem ? throw Invalid($"'{NativeInput}' {problem}.") : frame.DeepClone();
        }

        if (request is JsonObject { } split && split["input_data"] is JsonObject { } input && input["columns"] is JsonArray columns && input["data"] is JsonArray rows
            && columns.All(c => c?.GetValueKind() == System.Text.Json.JsonValueKind.String)
            && rows.All(r => r is JsonArray row && row.Count == columns.Count && row.All(v => v is null or JsonValue)))
        {
            var result = new JsonObject();
            for (var c = 0; c < columns.Count; c++)
            {
                var name = columns[c]!.GetValue<string>();
                if (result.ContainsKey(name))
                {
                    throw Invalid($"input_data names the column '{name}' twice.");
                }

                result[name] = new JsonArray([.. rows.Select(r => r![c]?.DeepClone())]);
            }

            return result;
        }

        throw Invalid($"{Shapes}.");
    }

    /// <summary>
    /// A deployment as the pools see it: its scoring script's init() once per worker, run(raw_data) per call;
    /// or, with no code, its ONNX model scored in-process.
    /// </summary>
    private static ServiceDefinition ServiceOf(OnlineDeployment d)
    {
        if (d.IsNative)
        {
            return new ServiceDefinition(PoolName(d), d.Name, "", RuntimeType.Realtime, new OnnxModelEntry(d.ContentHash!, null), d.ContentHash, null, d.CreatedAt.UtcTicks, d.CreatedAt);
        }

        var model = d.ModelId.Split(':');
        return new ServiceDefinition(
            PoolName(d), d.Name, "", RuntimeType.Python, new ScoringScriptEntry(d.ScoringScript, $"azureml-models/{model[0]}/{model[1]}"),
            d.ContentHash, new PoolSize(d.InstanceCount, d.InstanceCount), d.CreatedAt.UtcTicks, d.CreatedAt);
    }

    private const string NativeInput = "inputData";

    private static string PoolName(OnlineDeployment d) => $"endpoint:{d.ResourceGroup}/{d.Workspace}/{d.Endpoint}";

    private static string? PickDeployment(OnlineEndpoint endpoint)
    {
        var live = endpoint.Traffic.Where(t => t.Value > 0).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var roll = RandomNumberGenerator.GetInt32(live.Sum(t => t.Value));
        foreach (var (name, share) in live)
        {
            if (roll < share)
            {
                return name;
            }

            roll -= share;
        }

        return live[^1].Key;
    }

    /// <summary>"azureml:iris:1", "iris:1", or an ARM id ending in /models/iris/versions/1.</summary>
    private static string ModelIdOf(string? assetId)
    {
        var id = assetId ?? throw Invalid("properties.model.assetId is required (a model version, e.g. azureml:iris:1).");
        var arm = Regex.Match(id, @"/models/([^/]+)/versions/([^/]+)\z");
        return arm.Success ? $"{arm.Groups[1].Value}:{arm.Groups[2].Value}" : id.StartsWith("azureml:", StringComparison.Ordinal) ? id[8..] : id;
    }

    /// <summary>"azureml:score:1", "score:1", or an ARM id ending in /codes/score/versions/1.</summary>
    private static (string Name, string Version) CodeIdOf(string? codeId)
    {
        var id = codeId ?? throw Invalid("properties.codeConfiguration.codeId is required (a code version).");
        var arm = Regex.Match(id, @"/codes/([^/]+)/versions/([^/]+)\z");
        if (arm.Success)
        {
            return (arm.Groups[1].Value, arm.Groups[2].Value);
        }

        var plain = id.StartsWith("azureml:", StringComparison.Ordinal) ? id[8..] : id;
        var at = plain.LastIndexOf(':');
        return at > 0 ? (plain[..at], plain[(at + 1)..]) : throw Invalid($"codeId '{id}' names no code version.");
    }

    private static bool SameKey(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static FerryException Invalid(string message) => new(FerryErrorKind.BadRequest, message, code: "BadArgument");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{2,31}\\z")]
    private static partial Regex EndpointName();
}
