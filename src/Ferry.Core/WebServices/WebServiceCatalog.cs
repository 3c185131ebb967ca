using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ferry.Core.Changes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Sessions;
using Ferry.Core.Snapshots;
using Ferry.Core.Text;
using Ferry.Core.Users;

namespace Ferry.Core.WebServices;

/// <summary>
/// Publishes, patches, lists and deletes web services with ML Server's role rules: Readers list and
/// consume; Contributors publish, and update or delete only what they published; Owners do all.
/// Every definition is held in memory (consuming reads no row); the store is written first, in one
/// transaction, and the memory and the pools follow; then the other nodes are told
/// (<see cref="IChangeNotices"/>) and read the version again.
/// </summary>
public sealed partial class WebServiceCatalog(
    IWebServiceStore store, ISnapshotStore snapshots, IBlobStore blobs, IServiceRunner runner, FerryMetrics metrics, IChangeNotices notices, TimeProvider time)
    : IDisposable, IChangeSubscriber
{
    private readonly ConcurrentDictionary<(string Name, string Version), WebService> services = new();
    private readonly ConcurrentDictionary<(string Name, string Version), long> order = new();
    private readonly SemaphoreSlim writes = new(1, 1);
    private long published;

    /// <summary>Reads every published version into memory and warms their pools (at start-up).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var service in await store.ListAsync(cancellationToken))
        {
            Keep(service);
            runner.Refresh(service.Definition);
        }
    }

    string IChangeSubscriber.Topic => ChangeTopics.WebService;

    /// <summary>Another node published, patched or deleted the version: hold what the store now says, and warm or drop its pool.</summary>
    async Task IChangeSubscriber.ApplyAsync(string key, CancellationToken cancellationToken)
    {
        var (name, version) = (key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        await writes.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.FindAsync(name, version, cancellationToken);
            if (stored is not null)
            {
                Hold(stored);
            }
            else if (services.ContainsKey((name, version)))
            {
                Drop(name, version);
            }
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>Notices may have been missed: the store's versions replace the ones held.</summary>
    async Task IChangeSubscriber.ResyncAsync(CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.ListAsync(cancellationToken);
            foreach (var gone in services.Keys.Except(stored.Select(s => (s.Name, s.Version))).ToList())
            {
                Drop(gone.Name, gone.Version);
            }

            foreach (var service in stored)
            {
                Hold(service);
            }
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>All versions, in publishing order (clients take the last as the latest).</summary>
    public IReadOnlyList<WebService> List(string? name = null) =>
        [.. services.Values.Where(s => name is null || s.Name == name).OrderBy(s => order.GetValueOrDefault((s.Name, s.Version)))];

    public WebService Get(string name, string version) =>
        services.TryGetValue((name, version), out var service)
            ? service
            : throw FerryException.NotFound($"There is no web service '{name}' version '{version}'.");

    /// <summary>The version if it is published (no exception: for loops that look often).</summary>
    public bool TryGet(string name, string version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebService? service) =>
        services.TryGetValue((name, version), out service);

    public void Dispose() => writes.Dispose();

    public static string PermissionOf(WebService service, Caller caller) => MayChange(service, caller) ? "read/write" : "read only";

    public Task<WebService> PublishAsync(Caller caller, string name, string? version, WebServiceChange request, CancellationToken cancellationToken)
    {
        if (caller.Role >= Role.Contributor && request.Code is null)
        {
            throw FerryException.BadRequest("'code' is required.");
        }

        return AddAsync(
            caller,
            name,
            version,
            (service, token) => ValidatedAsync(service with { Runtime = request.Runtime ?? RuntimeType.R, Code = request.Code! }, request, caller, token),
            cancellationToken);
    }

    /// <summary>A realtime service: an ONNX model, scored natively; ML Server's fixed I/O (inputData, outputData).</summary>
    public Task<WebService> PublishRealtimeAsync(Caller caller, string name, string? version, RealtimeChange request, CancellationToken cancellationToken)
    {
        if (caller.Role >= Role.Contributor && request.ModelFile is null)
        {
            throw FerryException.BadRequest("'model' is required: a multipart file holding an ONNX model.");
        }

        return AddAsync(
            caller,
            name,
            version,
            (service, token) => RealtimeAsync(service with { Runtime = RuntimeType.Realtime, Inputs = WebService.RealtimeInputs, Outputs = WebService.RealtimeOutputs }, request, token),
            cancellationToken);
    }

    public Task<WebService> PatchRealtimeAsync(Caller caller, string name, string version, RealtimeChange request, CancellationToken cancellationToken) =>
        ReplaceAsync(
            async () =>
            {
                var current = Changeable(caller, name, version, "update");
                if (!current.IsRealtime)
                {
                    throw FerryException.BadRequest($"'{name}' version '{version}' is a {current.Runtime} web service, not a realtime one; patch it at /services/{name}/{version}.");
                }

                return await RealtimeAsync(current with { Revision = current.Revision + 1 }, request, cancellationToken);
            },
            cancellationToken);

    /// <summary>One new version: checked and built by <paramref name="build"/> under the write lock, then stored, held and warmed.</summary>
    private async Task<WebService> AddAsync(
        Caller caller, string name, string? version, Func<WebService, CancellationToken, Task<WebService>> build, CancellationToken cancellationToken)
    {
        if (caller.Role < Role.Contributor)
        {
            throw FerryException.Forbidden($"Publishing needs the Contributor role; you are a {caller.Role}.");
        }

        version ??= Guid.NewGuid().ToString("D");
        CheckName("name", name);
        CheckName("version", version);

        await writes.WaitAsync(cancellationToken);
        try
        {
            var other = services.Values.FirstOrDefault(s => s.Name == name && s.PublishedBy != caller.Name);
            if (other is not null && caller.Role < Role.Owner)
            {
                throw FerryException.Forbidden($"The web service '{name}' belongs to '{other.PublishedBy}'; only they or an Owner can publish versions of it.");
            }

            if (services.ContainsKey((name, version)))
            {
                throw FerryException.Conflict($"The web service '{name}' version '{version}' exists already; publish another version or patch this one.");
            }

            var service = await build(
                new WebService(name, version, caller.Name, time.GetUtcNow(), null, RuntimeType.R, "", "", "", null, [], [], [], null, null, 0),
                cancellationToken);
            if (!await store.TryAddAsync(service, cancellationToken))
            {
                throw FerryException.Conflict($"The web service '{name}' version '{version}' exists already; publish another version or patch this one.");
            }

            Keep(service);
            runner.Refresh(service.Definition);
            await notices.PublishAsync(ChangeTopics.WebService, ChangeTopics.WebServiceKey(name, version), CancellationToken.None); // committed: tell the others even if the caller left
            return service;
        }
        finally
        {
            writes.Release();
        }
    }

    public Task<WebService> PatchAsync(Caller caller, string name, string version, WebServiceChange request, CancellationToken cancellationToken) =>
        ReplaceAsync(
            async () =>
            {
                var current = Changeable(caller, name, version, "update");
                return await ValidatedAsync(current with { Revision = current.Revision + 1 }, request, caller, cancellationToken);
            },
            cancellationToken);

    public async Task DeleteAsync(Caller caller, string name, string version, CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            Changeable(caller, name, version, "delete");
            await store.DeleteAsync(name, version, cancellationToken);
            Drop(name, version);
            await notices.PublishAsync(ChangeTopics.WebService, ChangeTopics.WebServiceKey(name, version), CancellationToken.None); // committed: tell the others even if the caller left
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>Sets (or with null, removes) the dedicated pool's size; Owners only, checked by the caller.</summary>
    public async Task<WebService> SetPoolAsync(string name, string version, PoolSize? pool, CancellationToken cancellationToken)
    {
        var limit = runner.MaxWorkersPerService;
        if (pool is not null && (pool.Initial < 0 || pool.Max < 1 || pool.Initial > pool.Max || pool.Max > limit))
        {
            throw FerryException.BadRequest(
                $"Pool sizes need 0 <= InitialPoolSize <= MaxPoolSize and 1 <= MaxPoolSize <= {limit} (a publisher's share of this server's workers); got {pool.Initial} and {pool.Max}.");
        }

        return await ReplaceAsync(() => Task.FromResult(Get(name, version) with { Pool = pool }), cancellationToken);
    }

    /// <summary>One change to an existing version: the store first, then memory and the pool.</summary>
    private async Task<WebService> ReplaceAsync(Func<Task<WebService>> change, CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            var service = await change();
            await store.UpdateAsync(service, cancellationToken);
            services[(service.Name, service.Version)] = service;
            runner.Refresh(service.Definition);
            await notices.PublishAsync(ChangeTopics.WebService, ChangeTopics.WebServiceKey(service.Name, service.Version), CancellationToken.None); // committed: tell the others even if the caller left
            return service;
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>Holds a new version in memory, after the ones published before it.</summary>
    private void Keep(WebService service)
    {
        order[(service.Name, service.Version)] = Interlocked.Increment(ref published);
        services[(service.Name, service.Version)] = service;
    }

    /// <summary>Under the write lock: a version deleted (here or on another node) leaves memory, its pool and its series.</summary>
    private void Drop(string name, string version)
    {
        services.TryRemove((name, version), out _);
        order.TryRemove((name, version), out _);
        runner.Remove(name, version);
        metrics.Forget(name, version);
    }

    /// <summary>Holds a version another node wrote (new ones after those held) and brings its pool up to date.</summary>
    private void Hold(WebService service)
    {
        if (services.ContainsKey((service.Name, service.Version)))
        {
            services[(service.Name, service.Version)] = service;
        }
        else
        {
            Keep(service);
        }

        runner.Refresh(service.Definition);
    }

    private static bool MayChange(WebService service, Caller caller) =>
        caller.Role == Role.Owner || (caller.Role == Role.Contributor && service.PublishedBy == caller.Name);

    private WebService Changeable(Caller caller, string name, string version, string what)
    {
        var service = Get(name, version);
        return MayChange(service, caller)
            ? service
            : throw FerryException.Forbidden(caller.Role == Role.Reader
                ? $"Readers cannot {what} web services."
                : $"Only '{service.PublishedBy}', who published '{name}' version '{version}', or an Owner can {what} it.");
    }

    /// <summary>Applies a publish or patch request to <paramref name="service"/>, refusing anything invalid with a 400.</summary>
    private async Task<WebService> ValidatedAsync(WebService service, WebServiceChange request, Caller caller, CancellationToken cancellationToken)
    {
        service = service with
        {
            Code = request.Code ?? service.Code,
            Description = request.Description ?? service.Description,
            InitCode = request.InitCode ?? service.InitCode,
            OperationId = request.OperationId is null ? service.OperationId : request.OperationId.Length == 0 ? null : request.OperationId,
            Inputs = request.Inputs ?? service.Inputs,
            Outputs = request.Outputs ?? service.Outputs,
            OutputFileNames = request.OutputFileNames ?? service.OutputFileNames,
        };
        if (request.Runtime is { } runtime && runtime != service.Runtime && service.Revision > 0)
        {
            throw FerryException.BadRequest($"A web service's runtimeType cannot change ({service.Runtime}); publish a new version instead.");
        }

        if (service.IsRealtime)
        {
            if (service.Revision == 0 || request.Code is not null || request.InitCode is not null || request.SnapshotId is not null
                || request.Inputs is not null || request.Outputs is not null || request.OutputFileNames is not null)
            {
                throw FerryException.BadRequest(
                    $"A realtime web service runs no code and its I/O is fixed (inputData and outputData data.frames): publish or patch its model at /realtime-services/{service.Name}/{service.Version}.");
            }
        }
        else
        {
            await runner.EnsureRuntimeAsync(service.Runtime); // one this server lacks is a 400 naming what to install
        }

        CheckOperationId(service.OperationId);
        FreeText.Check("description", service.Description, FreeText.MaxDescription);

        CheckParameters("inputParameterDefinitions", service.Inputs);
        CheckParameters("outputParameterDefinitions", service.Outputs);
        foreach (var file in service.OutputFileNames)
        {
            SessionFiles.PathOf("/", file ?? throw FerryException.BadRequest("'outputFileNames' holds file names; it may not hold null."));
        }

        if (!string.IsNullOrEmpty(request.SnapshotId))
        {
            var snapshot = await snapshots.FindAsync(request.SnapshotId, cancellationToken);
            if (snapshot is null || snapshot.Owner != caller.Name)
            {
                throw FerryException.BadRequest($"There is no snapshot '{request.SnapshotId}' of yours to publish with.");
            }

            if (snapshot.Runtime != service.Runtime)
            {
                throw FerryException.BadRequest($"Snapshot '{snapshot.Id}' is of a {snapshot.Runtime} session; the service runs {service.Runtime}.");
            }

            service = service with { SnapshotId = snapshot.Id, ContentHash = snapshot.ContentHash };
        }

        return service;
    }

    /// <summary>Applies a realtime publish or patch: the model is checked, then moved into the blob store.</summary>
    private async Task<WebService> RealtimeAsync(WebService service, RealtimeChange request, CancellationToken cancellationToken)
    {
        service = service with
        {
            Description = request.Description ?? service.Description,
            OperationId = request.OperationId is null ? service.OperationId : request.OperationId.Length == 0 ? null : request.OperationId,
            Batching = request.Batching ?? service.Batching,
        };
        CheckOperationId(service.OperationId);
        FreeText.Check("description", service.Description, FreeText.MaxDescription);
        if (service.Batching is { } batching && (batching.MaxBatchSize is < 1 or > 4096 || batching.MaxWait < TimeSpan.Zero || batching.MaxWait > TimeSpan.FromSeconds(1)))
        {
            throw FerryException.BadRequest($"maxBatchSize must be from 1 to 4096 and maxBatchWaitMs from 0 to 1000; got {batching.MaxBatchSize} and {batching.MaxWait.TotalMilliseconds}.");
        }

        if (request.ModelFile is { } file)
        {
            runner.CheckModel(file);
            var (hash, _) = await blobs.StageAsync(file, cancellationToken);
            service = service with { ContentHash = hash };
        }

        return service;
    }

    private static void CheckOperationId(string? operationId)
    {
        if (operationId is not null && !Identifier().IsMatch(operationId))
        {
            throw FerryException.BadRequest($"operationId '{operationId}' must be a name of letters, digits and underscores.");
        }
    }

    private static void CheckName(string what, string value)
    {
        if (!ServiceName().IsMatch(value))
        {
            throw FerryException.BadRequest($"The {what} '{value}' is not valid: use letters, digits, '.', '-' and '_' (at most 100), starting with a letter or digit.");
        }
    }

    private static void CheckParameters(string field, IReadOnlyList<ParameterDefinition> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (parameter is null || string.IsNullOrEmpty(parameter.Name) || !Identifier().IsMatch(parameter.Name))
            {
                throw FerryException.BadRequest($"Every entry of {field} needs a 'name' that is a valid variable name; got '{parameter?.Name}'.");
            }

            if (!ParameterTypes.IsKnown(parameter.Type))
            {
                throw FerryException.BadRequest($"{field}: '{parameter.Name}' has the unknown type '{parameter.Type}'; use one of {string.Join(", ", ParameterTypes.All)}.");
            }
        }

        var duplicate = parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw FerryException.BadRequest($"{field}: '{duplicate.Key}' is declared twice.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\z")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex Identifier();
}
