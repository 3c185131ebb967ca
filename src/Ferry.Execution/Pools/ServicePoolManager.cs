using System.Collections.Concurrent;
using System.Diagnostics;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Files;
using Ferry.Core.Snapshots;
using Ferry.Execution.Diagnostics;
using Ferry.Execution.Processes;
using Ferry.Execution.Realtime;
using Ferry.Execution.Runtimes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Pools;

/// <summary>
/// Runs service calls on dedicated pools, one per service version (or online deployment). A worker is
/// prepared once: started (from the warm pool when it can), given the content's files and workspace,
/// then its entry's init (a web service's initCode, a scoring script's init()); each call runs the
/// entry's code in a copy of that workspace. A version's batch chunks run on a pool of their own
/// (see <see cref="ServicePool"/>), so a single call never waits for a chunk.
/// </summary>
public sealed partial class ServicePoolManager : IServiceRunner, IAsyncDisposable
{
    /// <summary>How many workers a call may find dead before it ran: each attempt lost only its place in a line.</summary>
    private const int MaxAttempts = 3;

    /// <summary>How long after a single call batch workers keep off the cores left to single calls (ReservedCores).</summary>
    private static readonly TimeSpan SingleCallsRecent = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Name, string Version, bool Background), ServicePool> pools = new();
    private readonly ConcurrentDictionary<(string Name, string Version), DateTimeOffset> removed = new(); // when, until published again
    private readonly IWorkerFactory workers;
    private readonly RuntimeCatalog runtimes;
    private readonly IBlobStore blobs;
    private readonly IOptions<ServicePoolOptions> options;
    private readonly ILogger<ServicePoolManager> logger;
    private readonly TimeProvider time;
    private readonly ITimer sweep;
    private readonly WorkerBudget budget;
    private readonly RealtimeScorer realtime;
    private readonly ServiceTemplates templates;
    private readonly PoolMetrics metrics;
    private long lastIdleCheck;
    private long lastSingleCall = long.MinValue; // UTC ticks: single calls keep cores to themselves for a while (ReservedCores)
    private readonly IReadOnlyList<int>? backgroundCpus; // the cores batch workers keep meanwhile; null: no cores are kept apart

    public ServicePoolManager(
        IWorkerFactory workers, RuntimeCatalog runtimes, IBlobStore blobs, IOptions<ServicePoolOptions> options, ILogger<ServicePoolManager> logger, TimeProvider time, RealtimeScorer realtime, PoolMetrics metrics)
    {
        this.metrics = metrics;
        metrics.Observe(() => pools.Values);
        this.realtime = realtime;
        this.workers = workers;
        this.runtimes = runtimes;
        this.time = time;
        this.blobs = blobs;
        this.options = options;
        this.logger = logger;
        templates = new ServiceTemplates(PrepareWorkerAsync, this.options.Value.SpareCopy, logger);
        budget = new WorkerBudget(options.Value.MaxResidentWorkers, options.Value.MaxResidentWorkersPerUser);
        var cpus = CpuSet.Allowed();
        var reserved = options.Value.ReservedCores;
        backgroundCpus = reserved > 0 && cpus.Count > reserved ? [.. cpus.Skip(reserved)] : null;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.Value.QueueTimeout.TotalMilliseconds / 10, 10, 100));
        sweep = time.CreateTimer(static manager => ((ServicePoolManager)manager!).ExpireWaiters(), this, tick, tick);
    }

    public Task<ExecutionResult> RunAsync(ServiceDefinition service, ServiceCall request, CancellationToken cancellationToken)
    {
        if (backgroundCpus is not null)
        {
            Volatile.Write(ref lastSingleCall, time.GetUtcNow().UtcTicks);
        }

        return service.Entry is OnnxModelEntry model
            ? realtime.ScoreAsync(service, model, request, cancellationToken) // no worker: scored in-process, batched
            : RunOnWorkerAsync(service, request, cancellationToken);
    }

    /// <summary>The CPUs a batch's chunk runs on now: all but the reserved ones within a second of a single call, else any.</summary>
    private IReadOnlyList<int>? ChunkCpus() =>
        backgroundCpus is not null && time.GetUtcNow().UtcTicks - Volatile.Read(ref lastSingleCall) < SingleCallsRecent.Ticks
            ? backgroundCpus
            : null;

    private async Task<ExecutionResult> RunOnWorkerAsync(ServiceDefinition service, ServiceCall request, CancellationToken cancellationToken)
    {
        var arrived = Stopwatch.GetTimestamp();
        var pool = PoolOf(service, background: false);
        var execution = ExecutionOf(service, request);
        for (var attempt = 1; ; attempt++)
        {
            ServicePool.Lease lease;
            var waiting = FerryActivities.StartServiceSpan(FerryActivities.PoolWait, service.Name, service.Version);
            try
            {
                lease = await AcquireWithinBudgetAsync(pool, cancellationToken);
            }
            catch (PreparationFailedException failed)
            {
                LogPreparationFailed(logger, service.Name, service.Version, failed.Message);
                return ExecutionResult.Failed(failed.Message);
            }
            finally
            {
                waiting?.Dispose();
            }

            var worker = lease.Worker;
            var died = false;
            using var call = FerryActivities.StartServiceSpan(FerryActivities.WorkerCall, service.Name, service.Version);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var result = (await worker.Worker.ExecuteAsync(lease.StartBy is null ? execution : execution with { StartBy = lease.StartBy }, cancellationToken)).Sendable();
                return result with { Timing = new ExecutionTiming(Stopwatch.GetElapsedTime(arrived, started), Stopwatch.GetElapsedTime(started), Batched: false, 1) };
            }
            catch (WorkerDiedException notStarted) when (notStarted.NotStarted && attempt < MaxAttempts)
            {
                died = true; // it waited behind a call that killed its worker: it never ran, so it runs elsewhere
            }
            catch (WorkerDiedException dead)
            {
                died = true;
                LogWorkerDied(logger, service.Name, service.Version, dead.Message);
                return ExecutionResult.Failed($"The worker running this call stopped and is being replaced: {dead.Message}");
            }
            finally
            {
                pool.Release(worker, died);
            }
        }
    }

    public async Task<IReadOnlyList<ExecutionResult?>> RunManyAsync(ServiceDefinition service, IReadOnlyList<ServiceCall> requests, CancellationToken cancellationToken)
    {
        if (service.Entry is OnnxModelEntry model)
        {
            // In-process: all at once, and the service's batcher runs them together.
            return await realtime.ScoreManyAsync(service, model, requests, cancellationToken);
        }

        if (requests.Count == 0)
        {
            return [];
        }

        var pool = PoolOf(service, background: true);
        var results = new ExecutionResult?[requests.Count];
        for (var attempt = 1; ; attempt++)
        {
            ServicePool.Lease lease;
            try
            {
                lease = await AcquireWithinBudgetAsync(pool, cancellationToken);
            }
            catch (PreparationFailedException failed)
            {
                LogPreparationFailed(logger, service.Name, service.Version, failed.Message);
                Array.Fill(results, ExecutionResult.Failed(failed.Message));
                return results;
            }

            var worker = lease.Worker;
            var died = false;
            try
            {
                // One request for them all where the runtime serves it, else all written at once: either
                // way the worker serves them one behind the other, and the server wakes once per chunk.
                var answered = await worker.Worker.ExecuteManyAsync(
                    ExecutionOf(service, requests[0]) with { Cpus = ChunkCpus() }, [.. requests.Select(r => r.Inputs)], cancellationToken);
                for (var i = 0; i < answered.Count; i++)
                {
                    results[i] = answered[i]?.Sendable();
                }

                died = !worker.Worker.IsAlive;
                if (died)
                {
                    LogWorkerDied(logger, service.Name, service.Version, "while it ran a chunk of batch records");
                    if (requests.Count == 1 && results[0] is null)
                    {
                        results[0] = ExecutionResult.Failed("The execution ended the worker running it (it exited or crashed); the worker is being replaced.");
                    }
                }

                return results;
            }
            catch (WorkerDiedException notStarted) when (notStarted.NotStarted)
            {
                died = true; // the worker was gone before the chunk reached it: none ran, so all run on another
                if (attempt >= MaxAttempts)
                {
                    return results; // none has a result: the caller runs each again alone
                }
            }
            finally
            {
                pool.Release(worker, died);
            }
        }
    }

    public void Refresh(ServiceDefinition service)
    {
        if (service.Entry is OnnxModelEntry model)
        {
            realtime.Refresh(service, model);
            return;
        }

        removed.TryRemove((service.Name, service.Version), out _);
        PoolOf(service, background: false).Update(service);
        if (pools.TryGetValue((service.Name, service.Version, true), out var batches))
        {
            batches.Update(service);
        }
    }

    public void Remove(string name, string version)
    {
        realtime.Remove(name, version);
        removed[(name, version)] = time.GetUtcNow(); // a call that read the definition just before does not bring the pool back
        foreach (var background in (bool[])[false, true])
        {
            if (pools.TryRemove((name, version, background), out var pool))
            {
                pool.Remove();
            }
        }

        templates.Forget(name, version);
    }

    /// <summary>The single-call pools held now: what a compute node tells web nodes, which route calls to warm workers.</summary>
    public IReadOnlyList<PoolReport> Report() =>
        [.. pools.Values.Where(p => !p.Background).Select(p => p.Report())];

    public string PoolStatus(ServiceDefinition service) => service.Entry is OnnxModelEntry ? "Success" : PoolOf(service, background: false).Status; // a model loads in-process, no pool

    public Task EnsureRuntimeAsync(RuntimeType runtime) =>
        runtime == RuntimeType.Realtime
            ? throw FerryException.BadRequest("The Realtime runtime runs no code: publish a model with POST /realtime-services/{name}/{version}.")
            : runtimes.RequireAsync(runtime);

    public void CheckModel(string modelFile) => RealtimeScorer.Check(modelFile);

    /// <summary>One version's pool can hold at most its publisher's share of the server's worker budget.</summary>
    public int MaxWorkersPerService => Math.Min(budget.Total, budget.PerOwner);

    /// <summary>
    /// A worker for the call. When the budget has no unit free for a pool with no worker of its own,
    /// the least recently called pool with an idle worker gives one up (of the same publisher when
    /// their share, not the server's total, is what stops them); with none idle the call gets 503.
    /// </summary>
    private async Task<ServicePool.Lease> AcquireWithinBudgetAsync(ServicePool pool, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await pool.AcquireAsync(cancellationToken);
            }
            catch (WorkerBudgetExhaustedException) when (attempt < MaxAttempts && EvictIdle(pool))
            {
                // a unit is free again: try once more
            }
            catch (WorkerBudgetExhaustedException)
            {
                LogBudgetExhausted(logger, pool.Owner, budget.Used);
                throw new FerryException(
                    FerryErrorKind.Unavailable,
                    budget.AtShare(pool.Owner)
                        ? $"The services published by '{pool.Owner}' hold all {budget.PerOwner} workers of their share (Ferry:WebServices:MaxResidentWorkersPerUser), all busy; retry shortly."
                        : $"All {budget.Total} workers this server may keep (Ferry:WebServices:MaxResidentWorkers) are busy; retry shortly.",
                    TimeSpan.FromSeconds(5));
            }
        }
    }

    private bool EvictIdle(ServicePool needing)
    {
        var sameOwner = budget.AtShare(needing.Owner);
        // Idle batch workers first: a batch's next chunk can wait for a worker, a single call would get a 503.
        foreach (var pool in pools.Values.Where(p => p != needing && (!sameOwner || string.Equals(p.Owner, needing.Owner, StringComparison.OrdinalIgnoreCase)))
                     .OrderByDescending(p => p.Background).ThenBy(p => p.LastUsed))
        {
            if (pool.TryRetireIdle())
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await sweep.DisposeAsync();
        foreach (var pool in pools.Values)
        {
            pool.Remove();
        }

        pools.Clear();
        await templates.DisposeAsync();
    }

    private void ExpireWaiters()
    {
        var now = time.GetTimestamp();
        foreach (var pool in pools.Values)
        {
            pool.ExpireWaiters(now);
        }

        // Idle pools are looked at about once a second; the tick above is for queue deadlines.
        if (time.GetElapsedTime(Interlocked.Read(ref lastIdleCheck)) >= TimeSpan.FromSeconds(1))
        {
            Interlocked.Exchange(ref lastIdleCheck, now);
            var wallClock = time.GetUtcNow();
            foreach (var ((name, version, _), pool) in pools)
            {
                if (pool.IdleTimeout > TimeSpan.Zero && pool.ShrinkIfIdle(wallClock, pool.IdleTimeout) is > 0 and var stopped)
                {
                    LogShrunk(logger, name, version, stopped);
                }
            }
        }
    }

    /// <summary>
    /// The version's pool of single calls, or of batch chunks, made on first use (an online
    /// deployment's after a restart), unless the version was deleted since it was read.
    /// </summary>
    private ServicePool PoolOf(ServiceDefinition service, bool background)
    {
        var key = (service.Name, service.Version, background);
        if (!pools.TryGetValue(key, out var pool))
        {
            ThrowIfRemoved(service);
            pool = pools.GetOrAdd(key, _ => new ServicePool(service, background, options.Value, PrepareAsync, budget, time, logger, metrics));
            if (Removed(service) && pools.TryRemove(KeyValuePair.Create(key, pool)))
            {
                pool.Remove(); // made while the version was being deleted: it goes the way of the others
                ThrowIfRemoved(service);
            }
        }

        if (background)
        {
            pool.CatchUp(service); // made by its first chunk, perhaps after a patch its Refresh found no pool for (single calls' pools are made by Refresh)
        }

        return pool;
    }

    private bool Removed(ServiceDefinition service) => removed.TryGetValue((service.Name, service.Version), out var at) && service.CreatedAt < at;

    private void ThrowIfRemoved(ServiceDefinition service)
    {
        if (Removed(service))
        {
            throw FerryException.NotFound($"The web service '{service.Name}' version '{service.Version}' was deleted.");
        }
    }

    /// <summary>A new worker for the service: forked from its template when its runtime forks, else prepared from the start.</summary>
    private async Task<PreparedWorker> PrepareAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        if (options.Value.ForkWorkers && runtimes[service.Runtime].Forks)
        {
            return await templates.ForkAsync(service, cancellationToken);
        }

        var (worker, directory) = await PrepareWorkerAsync(service, cancellationToken);
        return new PreparedWorker(worker, service.Revision, directory);
    }

    /// <summary>A worker started (from the warm pool when it can), given the content's files and workspace, then its entry's init.</summary>
    private async Task<(IWorker Worker, string Directory)> PrepareWorkerAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(options.Value.Directory);
        var directory = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;
        IWorker? worker = null;
        try
        {
            var init = service.Entry switch
            {
                CodeEntry code => code.InitCode,
                ScoringScriptEntry script => runtimes[service.Runtime].Scoring(script).InitCode,
                _ => "",
            };
            worker = await workers.StartAsync(service.Runtime, directory, service.Owner, cancellationToken);
            if (service.ContentHash is { } hash)
            {
                var workspace = Path.Combine(root, Guid.NewGuid().ToString("N") + ".workspace");
                try
                {
                    SnapshotContent.Unpack(blobs.PathOf(hash), directory, workspace);
                    if (File.Exists(workspace))
                    {
                        await worker.LoadWorkspaceAsync(workspace, cancellationToken); // content without a workspace is files only
                    }
                }
                finally
                {
                    File.Delete(workspace);
                }
            }

            if (!string.IsNullOrWhiteSpace(init))
            {
                var result = await worker.ExecuteAsync(init, [], [], cancellationToken);
                if (!result.Success)
                {
                    throw new PreparationFailedException($"The service's initCode failed: {result.ErrorMessage}\n{result.ConsoleOutput}".Trim());
                }
            }

            LogPrepared(logger, service.Name, service.Version, service.Revision);
            return (worker, directory);
        }
        catch (WorkerDiedException died)
        {
            // initCode that calls exit(), or a snapshot whose loading kills the interpreter: the service's own doing.
            await DiscardAsync(worker, directory);
            throw new PreparationFailedException($"The service's worker stopped while loading its snapshot or running its initCode: {died.Message}");
        }
        catch
        {
            await DiscardAsync(worker, directory);
            throw;
        }
    }

    /// <summary>What a worker runs for one call: the entry's code in a copy of the prepared workspace.</summary>
    private ExecutionRequest ExecutionOf(ServiceDefinition service, ServiceCall request) => service.Entry switch
    {
        CodeEntry code => new ExecutionRequest(code.Code, request.Inputs, request.Outputs) { OutputFiles = request.OutputFiles, Isolated = true },
        ScoringScriptEntry script when runtimes[service.Runtime].Scoring(script) is var scoring =>
            new ExecutionRequest(scoring.CallCode, request.Inputs, [new OutputSpec(scoring.Result)]) { Isolated = true },
        _ => throw new ArgumentException($"No pool runs a {service.Entry.GetType().Name}.", nameof(service)),
    };

    private static async Task DiscardAsync(IWorker? worker, string directory)
    {
        if (worker is not null)
        {
            await worker.DisposeAsync();
        }

        _ = ConfinedFiles.TryDeleteTree(directory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web service {Name} {Version} was not called for the idle timeout; {Count} workers stopped until its next call")]
    private static partial void LogShrunk(ILogger logger, string name, string version, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No pool worker could start for services of {Owner}: the worker budget is in use ({Used} workers)")]
    private static partial void LogBudgetExhausted(ILogger logger, string owner, int used);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Prepared a worker for web service {Name} {Version} (revision {Revision})")]
    private static partial void LogPrepared(ILogger logger, string name, string version, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No worker could be prepared for {Name} {Version}: {Reason}")]
    private static partial void LogPreparationFailed(ILogger logger, string name, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A worker of web service {Name} {Version} died: {Reason}")]
    private static partial void LogWorkerDied(ILogger logger, string name, string version, string reason);
}
