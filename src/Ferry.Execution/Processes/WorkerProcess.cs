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

    /// <summary>The longest line passed on whole; a longer one (a run printing a gigabyte without a newline) is passed on in pieces this long.</summary>
    internal const int MaxLineChars = 64 * 1024;

    private readonly SandboxedProcess sandboxed;
    private readonly StringBuilder tail;
    private readonly Task pumped;

    private WorkerProcess(SandboxedProcess sandboxed, StringBuilder tail, Task pumped)
    {
        this.sandboxed = sandboxed;
        this.tail = tail;
        this.pumped = pumped;
    }

    public Process Process => sandboxed.Process;

    /// <summary>Its sandbox.</summary>
    internal SandboxedProcess Sandboxed => sandboxed;

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
        var started = await sandbox.StartAsync(request with { CaptureOutput = output is not null }, cancellationToken);
        var pumps = new List<Task>
        {
            PumpAsync(started.Process.StandardError, line =>
            {
                Keep(tail, line);
                output?.Invoke(line);
            }),
        };
        if (output is not null)
        {
            pumps.Add(PumpAsync(started.Process.StandardOutput, output));
        }

        return new WorkerProcess(started, tail, Task.WhenAll(pumps));
    }

    /// <summary>The last lines it wrote to standard error.</summary>
    public string StderrTail()
    {
        lock (tail)
        {
            return tail.ToString().Trim();
        }
    }

    /// <summary>Waits for the process to end and for what it wrote to be passed on.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await Process.WaitForExitAsync(cancellationToken);
        await pumped.WaitAsync(cancellationToken);
    }

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

    /// <summary>
    /// Passes on what <paramref name="reader"/> gives line by line, a line at most <see cref="MaxLineChars"/> long:
    /// memory stays bounded whatever the process writes (the framework's line reader holds a whole line, however long).
    /// </summary>
    internal static async Task PumpAsync(TextReader reader, Action<string> sink)
    {
        // A sink that fails (a full disk under the run's log) drops the rest, but the pipe is still read to its end:
        // a process whose pipe nobody reads blocks for good.
        var failed = false;
        void line(string text)
        {
            if (failed)
            {
                return;
            }

            try
            {
                sink(text);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                failed = true;
            }
        }

        var buffer = new char[8192];
        var current = new StringBuilder();
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        current.Append(buffer, start, i - start);
                        Emit(current, line);
                        start = i + 1;
                    }
                }

                current.Append(buffer, start, read - start);
                while (current.Length >= MaxLineChars)
                {
                    line(current.ToString(0, MaxLineChars));
                    current.Remove(0, MaxLineChars);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the pipe broke with the process
        }

        if (current.Length > 0)
        {
            Emit(current, line);
        }
    }

    /// <summary>Reads <paramref name="stream"/> to its end and drops what it gives (output nobody reads must still be read).</summary>
    internal static async Task DrainAsync(Stream stream)
    {
        try
        {
            await stream.CopyToAsync(Stream.Null);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the pipe broke with the process
        }
    }

    private static void Emit(StringBuilder current, Action<string> line)
    {
        var length = current.Length > 0 && current[^1] == '\r' ? current.Length - 1 : current.Length;
        line(current.ToString(0, length));
        current.Clear();
    }

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
