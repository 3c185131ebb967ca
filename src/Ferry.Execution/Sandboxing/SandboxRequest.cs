using System.Diagnostics;

namespace Ferry.Execution.Sandboxing;

/// <summary>What a sandboxed process needs: its program and arguments (given the paths it will see), its working directory on the host, and its allowances.</summary>
public sealed record SandboxRequest(Func<SandboxLayout, string> Program, Func<SandboxLayout, IReadOnlyList<string>> Arguments, string WorkingDirectory)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public bool Network { get; init; }

    public bool CaptureOutput { get; init; }

    public int MemoryLimitMb { get; init; }

    /// <summary>The user whose code it runs (null: nobody's yet, a warm worker): its memory counts against theirs.</summary>
    public string? Owner { get; init; }

    public int CpuSeconds { get; init; }

    /// <summary>Runs just before the process starts, its scratch made: attach handlers, open the channel.</summary>
    public Action<Process, SandboxLayout>? BeforeStart { get; init; }
}

/// <summary>Where things are as the process sees them, and its run directory (channel, exchanged files) on the host.</summary>
public sealed record SandboxLayout(string Home, string Run, string Runtimes, string HostRun);
