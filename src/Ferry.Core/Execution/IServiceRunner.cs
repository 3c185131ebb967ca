namespace Ferry.Core.Execution;

/// <summary>The dedicated pools that run services, one per name and version (Ferry.Execution implements it).</summary>
public interface IServiceRunner
{
    /// <summary>
    /// Runs one call on a worker prepared for <paramref name="service"/>, isolated from the calls
    /// before it; a saturated pool throws a 503. A <see cref="ScoringScriptEntry"/> answers one output, run's value;
    /// an <see cref="OnnxModelEntry"/> scores its one data.frame input in-process and answers one data.frame.
    /// </summary>
    Task<ExecutionResult> RunAsync(ServiceDefinition service, ServiceCall request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="requests"/> one behind the other on one worker, in the background: a
    /// batch's chunk, on the version's batch workers (kept apart from those of its single calls, which
    /// never wait for a chunk, and at a lower CPU priority where the runtime can lower it). The requests
    /// are one service's calls with the same outputs and files. A request that did not run (an earlier
    /// one was interrupted, or the worker died while it ran the chunk) has a null result; the caller
    /// runs it again, alone: the worker dying under a chunk of one is that request's failure.
    /// </summary>
    Task<IReadOnlyList<ExecutionResult?>> RunManyAsync(ServiceDefinition service, IReadOnlyList<ServiceCall> requests, CancellationToken cancellationToken);

    /// <summary>A new or changed definition: workers of older revisions are retired, the initial size is warmed.</summary>
    void Refresh(ServiceDefinition service);

    /// <summary>The pool is gone: idle workers stop now, busy ones when their call ends.</summary>
    void Remove(string name, string version);

    /// <summary>The 9.3 pool status: <c>Success</c>, <c>Pending</c> or <c>NotFound</c>.</summary>
    string PoolStatus(ServiceDefinition service);

    /// <summary>Throws a 400 naming what to install when this server cannot run <paramref name="runtime"/>.</summary>
    Task EnsureRuntimeAsync(RuntimeType runtime);

    /// <summary>Throws a 400 naming the formats Ferry scores when <paramref name="modelFile"/> is no model it can score natively.</summary>
    void CheckModel(string modelFile);

    /// <summary>The largest MaxPoolSize a pool may be given (its owner's share of the server's workers).</summary>
    int MaxWorkersPerService { get; }
}
