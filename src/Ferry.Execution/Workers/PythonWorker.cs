using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Execution.Protocol;
using Microsoft.Extensions.Logging;

namespace Ferry.Execution.Workers;

/// <summary>
/// One Python interpreter process speaking the frame protocol over its pipes. Calls run one after
/// the other; an execution past its deadline is interrupted, and a worker that does not answer the
/// interrupt, or dies, is killed and reported dead: the caller gets an error, never a hang.
/// </summary>
public sealed partial class PythonWorker : IInterpreterWorker
{
    private static readonly string ScriptPath = Path.Combine(AppContext.BaseDirectory, "Runtimes", "Python", "ferry_worker.py");

    private readonly Process process;
    private readonly Stream channel;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly WorkerOptions options;
    private readonly ILogger logger;
    private readonly StringBuilder stderrTail;
    private readonly Timer watchdog;
    private volatile bool busy;
    private volatile bool dead;
    private volatile bool killedAfterInterrupt;
    private long callStartedAt;
    private long interruptedAt;

    private PythonWorker(Process process, Stream channel, StringBuilder stderrTail, WorkerOptions options, ILogger logger)
    {
        this.process = process;
        this.stderrTail = stderrTail;
        this.channel = channel;
        this.options = options;
        this.logger = logger;
        var tick = TimeSpan.FromTicks(Math.Clamp(Math.Min(options.ExecutionTimeout.Ticks, options.InterruptGrace.Ticks) / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
        watchdog = new Timer(static worker => ((PythonWorker)worker!).Watch(), this, tick, tick);
    }

    public int ProcessId => process.Id;

    public string WorkingDirectory { get; private set; } = "";

    public bool IsAlive => !dead && !process.HasExited;

    /// <summary>
    /// Starts a worker in <paramref name="workingDirectory"/> and waits until it is ready. The frame
    /// channel is a Unix domain socket the worker connects to (epoll-driven on both sides, unlike a
    /// pipe, whose asynchronous reads block a pool thread in .NET); it lives in a private directory
    /// and the worker proves who it is with its process id.
    /// </summary>
    public static async Task<PythonWorker> StartAsync(
        string interpreter, string workingDirectory, WorkerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var socketDirectory = Directory.CreateTempSubdirectory("ferry-worker-"); // owner-only
        var socketPath = Path.Combine(socketDirectory.FullName, "channel");
        Process? process = null;
        Socket? connection = null;
        var stderr = new StringBuilder();
        try
        {
            using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                listener.Bind(new UnixDomainSocketEndPoint(socketPath));
                listener.Listen(1);
                var info = new ProcessStartInfo(interpreter)
                {
                    WorkingDirectory = workingDirectory,
                    RedirectStandardInput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                info.ArgumentList.Add("-u");
                info.ArgumentList.Add(ScriptPath);
                info.Environment["FERRY_CHANNEL"] = socketPath;
                info.Environment["FERRY_MEMORY_LIMIT_MB"] = options.MemoryLimitMb.ToString(System.Globalization.CultureInfo.InvariantCulture);
                info.Environment["PYTHONUNBUFFERED"] = "1";
                process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {interpreter}.");
                process.ErrorDataReceived += (_, e) => Keep(stderr, e.Data);
                process.BeginErrorReadLine();

                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(options.StartTimeout);
                var accept = listener.AcceptAsync(deadline.Token).AsTask();
                if (await Task.WhenAny(accept, process.WaitForExitAsync(deadline.Token)) != accept)
                {
                    throw new WorkerDiedException($"The Python worker did not start: {Tail(stderr)}".Trim());
                }

                connection = await accept;
            }

            var worker = new PythonWorker(process, new BufferedStream(new NetworkStream(connection, ownsSocket: true), 64 * 1024), stderr, options, logger)
            {
                WorkingDirectory = workingDirectory,
            };
            connection = null;
            using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ready.CancelAfter(options.StartTimeout);
            try
            {
                var hello = await FrameChannel.ReadAsync(worker.channel, ready.Token);
                if (hello?["type"]?.GetValue<string>() != "ready" || hello["pid"]?.GetValue<int>() != process.Id)
                {
                    throw new WorkerDiedException($"The Python worker did not start: {Tail(stderr)}".Trim());
                }
            }
            catch
            {
                await worker.DisposeAsync();
                throw;
            }

            LogStarted(logger, process.Id, workingDirectory);
            return worker;
        }
        catch when (connection is not null || process is { HasExited: false })
        {
            connection?.Dispose();
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }

            throw;
        }
        finally
        {
            socketDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Runs code with inputs bound as variables and returns the named outputs.</summary>
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var message = new JsonObject
        {
            ["type"] = "execute",
            ["code"] = request.Code,
            ["inputs"] = new JsonArray([.. request.Inputs.Select(i => (JsonNode)new JsonObject { ["name"] = i.Name, ["value"] = i.Value?.DeepClone(), ["type"] = i.Type })]),
            ["outputs"] = new JsonArray([.. request.Outputs.Select(o => (JsonNode)JsonValue.Create(o.Name))]),
            ["outputTypes"] = new JsonObject(request.Outputs.Where(o => o.Type is not null).Select(o => KeyValuePair.Create(o.Name, (JsonNode?)JsonValue.Create(o.Type)))),
            ["outputFiles"] = new JsonArray([.. request.OutputFiles.Select(f => (JsonNode)JsonValue.Create(f))]),
            ["isolated"] = request.Isolated,
        };
        var reply = await RequestAsync(message, cancellationToken);
        return new ExecutionResult(
            reply["success"]?.GetValue<bool>() ?? false,
            reply["errorMessage"]?.GetValue<string>() ?? "",
            reply["consoleOutput"]?.GetValue<string>() ?? "",
            [.. (reply["outputParameters"]?.AsArray() ?? []).Select(o => (o!["name"]!.GetValue<string>(), o["value"]?.DeepClone()))],
            [.. (reply["changedFiles"]?.AsArray() ?? []).Select(f => f!.GetValue<string>())])
        {
            OutputFiles = (reply["outputFiles"] as JsonObject ?? []).ToDictionary(f => f.Key, f => f.Value!.GetValue<string>()),
        };
    }

    public async Task<IReadOnlyList<string>> ListObjectsAsync(CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(new JsonObject { ["type"] = "workspace_list" }, cancellationToken);
        return [.. reply["names"]!.AsArray().Select(n => n!.GetValue<string>())];
    }

    public async Task<byte[]> GetObjectAsync(string name, CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(new JsonObject { ["type"] = "workspace_get", ["name"] = name }, cancellationToken);
        return Convert.FromBase64String(reply["data"]!.GetValue<string>());
    }

    public Task SetObjectAsync(string name, byte[] data, CancellationToken cancellationToken) =>
        RequestAsync(new JsonObject { ["type"] = "workspace_set", ["name"] = name, ["data"] = Convert.ToBase64String(data) }, cancellationToken);

    public Task DeleteObjectAsync(string name, CancellationToken cancellationToken) =>
        RequestAsync(new JsonObject { ["type"] = "workspace_delete", ["name"] = name }, cancellationToken);

    public Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken) =>
        RequestAsync(new JsonObject { ["type"] = "save_workspace", ["path"] = path }, cancellationToken);

    public Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken) =>
        RequestAsync(new JsonObject { ["type"] = "load_workspace", ["path"] = path }, cancellationToken);

    /// <summary>Moves a blank worker into the working directory it will serve (the warm pool's hand-over).</summary>
    public async Task ChangeDirectoryAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        await RequestAsync(new JsonObject { ["type"] = "chdir", ["path"] = workingDirectory }, cancellationToken);
        WorkingDirectory = workingDirectory;
    }

    /// <summary>Interrupts the running execution, if any; the worker lives on.</summary>
    public bool Interrupt() => busy && Signals.Interrupt(process.Id);

    public async ValueTask DisposeAsync()
    {
        dead = true;
        await watchdog.DisposeAsync();
        if (!process.HasExited)
        {
            try
            {
                await FrameChannel.WriteAsync(channel, new JsonObject { ["type"] = "shutdown" }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
            {
                // it does not listen; killed below
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        await channel.DisposeAsync();
        process.Dispose();
        gate.Dispose();
    }

    /// <summary>One request and its reply; a reply naming an error becomes the matching 4xx.</summary>
    private async Task<JsonObject> RequestAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(request, cancellationToken);
        if (reply["error"] is JsonNode error)
        {
            var kind = reply["status"]?.GetValue<string>() == "notFound" ? FerryErrorKind.NotFound : FerryErrorKind.BadRequest;
            throw new FerryException(kind, error.GetValue<string>());
        }

        return reply;
    }

    /// <summary>
    /// One request and its reply. The deadline is kept by the watchdog timer, not by a timer per call
    /// (the consume path makes thousands of calls a second); cancellation interrupts the same way.
    /// </summary>
    private async Task<JsonObject> CallAsync(JsonObject request, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsAlive)
            {
                throw new WorkerDiedException("The Python worker is no longer running.");
            }

            Volatile.Write(ref interruptedAt, 0);
            Volatile.Write(ref callStartedAt, Stopwatch.GetTimestamp());
            busy = true;
            await using var cancelled = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static worker => ((PythonWorker)worker!).InterruptCall(), this)
                : default;
            await FrameChannel.WriteAsync(channel, request, CancellationToken.None);
            var reply = await FrameChannel.ReadAsync(channel, CancellationToken.None);
            if (reply is null && killedAfterInterrupt)
            {
                throw new WorkerDiedException("The execution did not stop when interrupted; its worker was killed.");
            }

            return reply ?? throw await DiedAsync();
        }
        catch (IOException)
        {
            throw await DiedAsync();
        }
        finally
        {
            busy = false;
            gate.Release();
        }
    }

    /// <summary>Every tick: a call past its time limit is interrupted; one that ignores the interrupt past the grace is killed.</summary>
    private void Watch()
    {
        if (!busy || dead)
        {
            return;
        }

        var interrupted = Volatile.Read(ref interruptedAt);
        if (interrupted == 0)
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref callStartedAt)) > options.ExecutionTimeout)
            {
                InterruptCall();
            }
        }
        else if (Stopwatch.GetElapsedTime(interrupted) > options.InterruptGrace)
        {
            killedAfterInterrupt = true;
            Kill();
        }
    }

    /// <summary>Interrupts the current call once (past its deadline, or its caller gave up).</summary>
    private void InterruptCall()
    {
        if (busy && Interlocked.CompareExchange(ref interruptedAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            Signals.Interrupt(process.Id);
        }
    }

    private async Task<WorkerDiedException> DiedAsync()
    {
        Kill();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // report what is known
        }

        var code = process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown";
        LogDied(logger, process.Id, code);
        return new WorkerDiedException($"The Python worker exited unexpectedly (exit code {code}). {StderrTail()}".Trim());
    }

    private void Kill()
    {
        dead = true;
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static void Keep(StringBuilder tail, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tail)
        {
            tail.AppendLine(line);
            if (tail.Length > 4096)
            {
                tail.Remove(0, tail.Length - 4096);
            }
        }
    }

    private static string Tail(StringBuilder tail)
    {
        lock (tail)
        {
            return tail.ToString().Trim();
        }
    }

    private string StderrTail() => Tail(stderrTail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Python worker {WorkerPid} started in {WorkingDirectory}")]
    private static partial void LogStarted(ILogger logger, int workerPid, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Python worker {WorkerPid} died (exit code {ExitCode})")]
    private static partial void LogDied(ILogger logger, int workerPid, string exitCode);
}
