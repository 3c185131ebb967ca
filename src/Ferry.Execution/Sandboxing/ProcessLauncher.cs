using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ferry.Execution.Sandboxing;

/// <summary>
/// Starts processes from one thread that lives as long as the server process. The kernel's
/// parent-death signal (bubblewrap's --die-with-parent) follows the thread that forked, not the
/// process, and .NET retires idle pool threads: started from a pool thread, a sandbox could be
/// killed at any time. Started from here, it dies exactly when the server does, however it ends.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = [];

    static ProcessLauncher()
    {
        new Thread(Run) { IsBackground = true, Name = "ferry-process-launcher" }.Start();
    }

    /// <summary>Starts <paramref name="process"/> (its handlers already attached) on the launcher thread.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
