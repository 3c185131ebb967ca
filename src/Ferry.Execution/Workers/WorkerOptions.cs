namespace Ferry.Execution.Workers;

/// <summary>Limits for interpreter workers (section <c>Ferry:Workers</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Ferry:Workers";

    /// <summary>An execution running longer is interrupted; if it does not stop, the worker is killed.</summary>
    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an interrupted execution has to stop before its worker is killed.</summary>
    public TimeSpan InterruptGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a reply's body may take to arrive once its header has: a real reply (at most 144 MiB, over a local
    /// socket) takes well under a second, so a frame past this was forged by user code, and the worker is killed.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Address-space limit of a worker in MiB, set inside it (0: none).</summary>
    public int MemoryLimitMb { get; set; } = 4096;

    /// <summary>How long a new worker may take to say it is ready.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where blank workers' directories live until taken (the same file system as sessions' and services'); defaults under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Blank Python workers kept started ahead of need (0: none).</summary>
    public int WarmPoolSize { get; set; } = 2;
}
