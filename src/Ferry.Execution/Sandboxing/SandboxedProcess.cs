using System.Diagnostics;
using Ferry.Core.Files;

namespace Ferry.Execution.Sandboxing;

/// <summary>A started sandbox: its outermost process, and the scratch it removes when disposed.</summary>
public sealed class SandboxedProcess(Process process, SandboxLayout layout, string scratch, Action<string?> release) : IAsyncDisposable
{
    private int disposed;

    public Process Process { get; } = process;

    public SandboxLayout Layout { get; } = layout;

    /// <summary>The directory of its memory group, if it has one (it moves when a user's session takes a warm worker).</summary>
    public string? MemoryGroup { get; set; }

    /// <summary>Kills whatever still runs (the PID namespace goes with it) and removes the scratch.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // never started, gone, or not yet reaped: the PID namespace is gone with its first process
        }

        _ = ConfinedFiles.TryDeleteTree(scratch);
        release(MemoryGroup);
        Process.Dispose();
    }
}
