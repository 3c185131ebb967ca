namespace Ferry.Execution.Sandboxing;

/// <summary>How user code is contained (section <c>Ferry:Sandbox</c>).</summary>
public sealed class SandboxOptions
{
    public const string Section = "Ferry:Sandbox";

    /// <summary><see cref="SandboxMode.Bubblewrap"/> (the default) or an explicit <see cref="SandboxMode.None"/>.</summary>
    public SandboxMode Mode { get; set; } = SandboxMode.Bubblewrap;

    /// <summary>The bubblewrap program.</summary>
    public string Bubblewrap { get; set; } = "bwrap";

    /// <summary>Whether sessions, web services and online deployments may reach the network (default: no).</summary>
    public bool Network { get; set; }

    /// <summary>Whether experiment runs may reach the network, e.g. to download data (default: no).</summary>
    public bool RunNetwork { get; set; }

    /// <summary>Processes and threads one worker may have at once.</summary>
    public int MaxProcesses { get; set; } = 256;

    /// <summary>Files one worker process may have open.</summary>
    public int MaxOpenFiles { get; set; } = 1024;

    /// <summary>The largest file a worker may write, in MiB.</summary>
    public int MaxFileSizeMb { get; set; } = 4096;

    /// <summary>
    /// Memory one sandbox's processes may hold together, in MiB (a session, a run, a deployment, or a service
    /// version's template with the copies forked from it), in a memory cgroup of its own; each process is
    /// also bounded by <c>Ferry:Workers:MemoryLimitMb</c>. 0 turns the cgroups off.
    /// </summary>
    public int SandboxMemoryMb { get; set; } = 8192;

    /// <summary>The share of <see cref="AllSandboxesMemoryPercent"/>'s bound one user's sandboxes may hold together, in percent.</summary>
    public int UserMemoryPercent { get; set; } = 50;

    /// <summary>The share of the server's memory (the machine's, or its own cgroup's bound) all sandboxes may hold together, in percent.</summary>
    public int AllSandboxesMemoryPercent { get; set; } = 75;

    /// <summary>CPU time a run may use, in seconds (0: no limit).</summary>
    public int RunCpuSeconds { get; set; } = 4 * 3600;

    /// <summary>Size of a worker's <c>/dev/shm</c>, in MiB.</summary>
    public int SharedMemoryMb { get; set; } = 64;

    /// <summary>
    /// When the server runs as root, each worker runs as its own unprivileged account taken from
    /// <see cref="UidCount"/> numeric ids starting here (no passwd entry needed), so workers cannot
    /// signal, trace or share a process limit with each other or with the server.
    /// </summary>
    public uint UidBase { get; set; } = 2_100_000_000;

    public int UidCount { get; set; } = 65536;

    /// <summary>Where per-worker scratch directories (its <c>/tmp</c> and channel) live; defaults under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Host paths a worker sees read-only besides <c>/usr</c> and <c>/etc</c> (an interpreter installed elsewhere).</summary>
    public List<string> ReadOnlyPaths { get; set; } = [];

    /// <summary>Host paths hidden from workers even when they lie under a path they see (the data directory is always one).</summary>
    public List<string> HiddenPaths { get; set; } = [];
}

/// <summary>How user code runs.</summary>
public enum SandboxMode
{
    /// <summary>In Linux namespaces set up by bubblewrap, as an unprivileged account.</summary>
    Bubblewrap,

    /// <summary>Unsandboxed, as the server's own user: only when an operator says so.</summary>
    None,
}
