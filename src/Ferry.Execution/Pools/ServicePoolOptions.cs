namespace Ferry.Execution.Pools;

/// <summary>Web service pools (section <c>Ferry:WebServices</c>).</summary>
public sealed class ServicePoolOptions
{
    public const string Section = "Ferry:WebServices";

    /// <summary>Where pool workers' working directories live; the server sets it under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Workers prepared ahead of the first call, unless the service's pool says otherwise.</summary>
    public int InitialPoolSize { get; set; } = 1;

    /// <summary>Workers at most per service version, unless its pool says otherwise: one per core.</summary>
    public int MaxPoolSize { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Calls a worker holds at most: the running one and those written behind it (1: no pipelining).
    /// A busy worker then finds its next call ready instead of sleeping until its last reply has gone
    /// round the server: the wake-ups, not the work, were most of a quick call's cost (README).
    /// </summary>
    public int PipelineDepth { get; set; } = 8;

    /// <summary>
    /// Calls are written behind a running one only while the worker's calls take less than this: a
    /// call behind a slow one would wait for it (past the queue's deadline it is refused, unrun).
    /// </summary>
    public TimeSpan PipelineCallTime { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Calls waiting for a busy pool at most; one more gets 503 at once.</summary>
    public int QueueLength { get; set; } = 256;

    /// <summary>How long a call waits for a worker before it gets 503 with Retry-After.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A version's batch workers (a pool of their own, apart from its single calls', niced) stop after
    /// this long without a chunk; the next batch forks them again.
    /// </summary>
    public TimeSpan BackgroundIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Pool workers the server keeps at most, over every service (each is an interpreter of some
    /// 20 MB and up). A pool that needs one more takes an idle worker of the least recently called
    /// pool; with none idle the call gets 503.
    /// </summary>
    public int MaxResidentWorkers { get; set; } = Math.Max(16, 8 * Environment.ProcessorCount);

    /// <summary>The share of <see cref="MaxResidentWorkers"/> the services of one publisher may hold; also the largest MaxPoolSize the pool API accepts.</summary>
    public int MaxResidentWorkersPerUser { get; set; } = Math.Max(8, 4 * Environment.ProcessorCount);

    /// <summary>A pool nobody called for this long stops its workers and warms again on the next call (zero: never).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether a pool's workers are forked from a template prepared once per service version (a
    /// runtime that forks: Python), so a pool grows in milliseconds and its workers share memory;
    /// otherwise each worker is started and prepared on its own.
    /// </summary>
    public bool ForkWorkers { get; set; } = true;

    /// <summary>
    /// Whether each template keeps one copy forked ahead (about 2 MB of memory of its own), so that a pool grows
    /// by one worker without waiting for a fork; the next spare is forked in the background.
    /// </summary>
    public bool SpareCopy { get; set; } = true;

    /// <summary>
    /// Cores left to single calls while they are being served: a version's batch workers then run on
    /// the server's other cores only, so a batch does not take the core a single call wakes up on.
    /// Within a second of the last single call the batch workers have every core again. Zero, or no
    /// more cores than this, turns it off. Python workers only (an R worker's batch runs where it is).
    /// </summary>
    public int ReservedCores { get; set; } = 1;
}
