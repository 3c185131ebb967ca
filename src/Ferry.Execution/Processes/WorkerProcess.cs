using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ferry.Execution.Sandboxing;

namespace Ferry.Execution.Processes;

/// <summary>
/// A process running user code in the sandbox, for any runtime: started, watched (the tail of its
/// standard error is kept to say why it died), and killed with everything it started. Frame workers
/// and experiment runs both hold one.
/// </summary>
public sealed class WorkerProcess : IWorkerHost
{
    private const int TailChars = 4096;
    private readonly SandboxedProcess sandboxed;
    private readonly StringBuilder tail;

    private WorkerProcess(SandboxedProcess sandboxed, StringBuilder tail)
    {
        this.sandboxed = sandboxed;
        this.tail = tail;
    }

    public Process Process => sandboxed.Process;

    int IWorkerHost.Id => Process.Id;

    public SandboxLayout Layout => sandboxed.Layout;

    public bool HasExited => Process.HasExited;

    /// <summary>The exit code, or "unknown" while it runs.</summary>
    public string ExitCode => Process.HasExited ? Process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";

    /// <summary>
    /// Starts <paramref name="request"/> in the sandbox. Standard error is read at once; with
    /// <paramref name="output"/>, standard output and standard error go to it line by line as well
    /// (a run's log), and the request is made to capture standard output.
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(Sandbox sandbox, SandboxRequest request, Action<string>? output, CancellationToken cancellationToken)
    {
        var tail = new StringBuilder();
        var before = request.BeforeStart;
        var started = await sandbox.StartAsync(
            request with
            {
                CaptureOutput = output is not null,
                BeforeStart = (process, layout) =>
                {
                    process.ErrorDataReceived += (_, e) =>
                    {
                        if (e.Data is not null)
                        {
                            Keep(tail, e.Data);
                            output?.Invoke(e.Data);
                        }
                    };
                    if (output is not null)
                    {
                        process.OutputDataReceived += (_, e) =>
                        {
                            if (e.Data is not null)
                            {
                                output(e.Data);
                            }
                        };
                    }

                    before?.Invoke(process, layout);
                },
            },
            cancellationToken);
        started.Process.BeginErrorReadLine();
        if (output is not null)
        {
            started.Process.BeginOutputReadLine();
        }

        return new WorkerProcess(started, tail);
    }

    /// <summary>The last lines it wrote to standard error.</summary>
    public string StderrTail()
    {
        lock (tail)
        {
            return tail.ToString().Trim();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => Process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process and everything it started; nothing when it is gone already.</summary>
    public void Kill()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>Nothing: a process's end is seen in the process itself.</summary>
    void IWorkerHost.ChannelClosed()
    {
    }

    /// <summary>Kills whatever still runs and removes the sandbox's scratch.</summary>
    public ValueTask DisposeAsync() => sandboxed.DisposeAsync();

    private static void Keep(StringBuilder tail, string line)
    {
        lock (tail)
        {
            tail.AppendLine(line);
            if (tail.Length > TailChars)
            {
                tail.Remove(0, tail.Length - TailChars);
            }
        }
    }
}
