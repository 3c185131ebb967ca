namespace Ferry.Execution.Sandboxing;

/// <summary>Whether user code can run and how (shown under <c>/status</c>).</summary>
public sealed record SandboxState(SandboxMode Mode, bool Usable, string? Problem, string? Version, string Account)
{
    /// <summary>What bounds the memory of a sandbox's processes together (per process only, and why, when no cgroup can).</summary>
    public string? Memory { get; init; }
}
