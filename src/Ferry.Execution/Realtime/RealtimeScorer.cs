using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Ferry.Execution.Realtime;

/// <summary>
/// Scores <see cref="OnnxModelEntry"/> services in-process: each version's model is loaded once (when
/// published, or at its first call after a restart) and shared by all its calls through its batcher.
/// </summary>
public sealed partial class RealtimeScorer(IBlobStore blobs, IOptions<RealtimeOptions> options, ILogger<RealtimeScorer> logger) : IDisposable
{
    /// <summary>The data.frame input every realtime call carries (ML Server's <c>inputData</c>).</summary>
    public const string Input = "inputData";

    /// <summary>The data.frame output every realtime call answers (ML Server's <c>outputData</c>).</summary>
    public const string Output = "outputData";

    private readonly ConcurrentDictionary<(string Name, string Version), Loaded> models = new();

    public async Task<ExecutionResult> ScoreAsync(ServiceDefinition service, OnnxModelEntry entry, ServiceCall call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var loaded = LoadedOf(service, entry);
        OnnxModel model;
        try
        {
            model = loaded.Model.Value;
        }
        catch (FerryException e)
        {
            return ExecutionResult.Failed($"The model of '{service.Name}' version '{service.Version}' cannot be loaded: {e.Message}");
        }

        var input = call.Inputs.FirstOrDefault(i => i.Name == Input)?.Value as JsonObject
            ?? throw FerryException.BadRequest($"'{Input}' must be a data.frame: a JSON object of equally long column arrays.");
        var bound = model.Bind(input);
        Scored scored;
        try
        {
            scored = await loaded.Batcher(model).ScoreAsync(bound);
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or ModelRunFailedException)
        {
            // The model refused the rows (a shape it cannot take, say): like user code failing, a result, not an HTTP error.
            return ExecutionResult.Failed($"The model could not score inputData: {e.Message}");
        }

        return new ExecutionResult(true, "", "", [(Output, scored.Output)], [])
        {
            Timing = new ExecutionTiming(scored.Queue, scored.Run, Batched: true, scored.BatchSize),
        };
    }

    /// <summary>
    /// Many calls at once (a batch's records), run together by the batcher; a call whose input the model cannot
    /// take answers <c>success:false</c> alone (a single consume would answer 400), the others are scored.
    /// </summary>
    public async Task<ExecutionResult?[]> ScoreManyAsync(ServiceDefinition service, OnnxModelEntry entry, IReadOnlyList<ServiceCall> calls, CancellationToken cancellationToken)
    {
        return await Task.WhenAll(calls.Select(ScoreOneAsync));

        async Task<ExecutionResult?> ScoreOneAsync(ServiceCall call)
        {
            try
            {
                return await ScoreAsync(service, entry, call, cancellationToken);
            }
            catch (FerryException invalid) when (invalid.Kind == FerryErrorKind.BadRequest)
            {
                return ExecutionResult.Failed(invalid.Message);
            }
        }
    }

    /// <summary>A new or changed version: its model is (re)loaded in the background, so the first call finds it ready.</summary>
    public void Refresh(ServiceDefinition service, OnnxModelEntry entry)
    {
        var loaded = LoadedOf(service, entry);
        _ = Task.Run(() =>
        {
            try
            {
                _ = loaded.Model.Value;
            }
            catch (FerryException e)
            {
                LogLoadFailed(logger, service.Name, service.Version, e.Message);
            }
        });
    }

    /// <summary>The version is gone. Its session is left to the finalizer: a batch may still be running on it.</summary>
    public void Remove(string name, string version) => models.TryRemove((name, version), out _);

    /// <summary>Throws a 400 naming the formats Ferry scores unless <paramref name="file"/> loads as an ONNX model whose inputs Ferry can bind.</summary>
    public static void Check(string file) => OnnxModel.Load(file, limits: null).Dispose();

    public void Dispose()
    {
        foreach (var loaded in models.Values.Where(l => l.Model.IsValueCreated))
        {
            try
            {
                loaded.Model.Value.Dispose();
            }
            catch (FerryException)
            {
                // it never loaded
            }
        }
    }

    private Loaded LoadedOf(ServiceDefinition service, OnnxModelEntry entry)
    {
        var key = (service.Name, service.Version);
        if (models.TryGetValue(key, out var loaded) && loaded.Revision == service.Revision && loaded.Hash == entry.ModelHash)
        {
            return loaded;
        }

        var fresh = new Loaded(service.Revision, entry.ModelHash, new Lazy<OnnxModel>(() => OnnxModel.Load(blobs.PathOf(entry.ModelHash), options.Value)), BatchingOf(entry));
        return models.AddOrUpdate(key, fresh, (_, current) => current.Revision > service.Revision ? current : current.Revision == service.Revision && current.Hash == entry.ModelHash ? current : fresh);
    }

    private RealtimeBatching BatchingOf(OnnxModelEntry entry) =>
        entry.Batching ?? new RealtimeBatching(options.Value.MaxBatchSize, options.Value.MaxBatchWait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model of realtime service {Name} version {Version} cannot be loaded: {Problem}")]
    private static partial void LogLoadFailed(ILogger logger, string name, string version, string problem);

    private sealed class Loaded(long revision, string hash, Lazy<OnnxModel> model, RealtimeBatching batching)
    {
        private AdaptiveBatcher? batcher;

        public long Revision { get; } = revision;

        public string Hash { get; } = hash;

        public Lazy<OnnxModel> Model { get; } = model;

        public AdaptiveBatcher Batcher(OnnxModel loaded) =>
            batcher ?? Interlocked.CompareExchange(ref batcher, new AdaptiveBatcher(loaded, batching), null) ?? batcher;
    }
}
