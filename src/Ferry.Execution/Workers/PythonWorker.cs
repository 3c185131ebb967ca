using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Globalization;
using System.Security.Cryptography;
using Ferry.Core.Files;
using Ferry.Execution.Sandboxing;
using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Execution.Protocol;
using Microsoft.Extensions.Logging;

namespace Ferry.Execution.Workers;

/// <summary>
/// One Python interpreter process speaking the frame protocol over a socket. Calls may be pipelined:
/// a call is written as soon as it is made and the worker serves them in order, so a busy worker
/// finds its next call waiting instead of sleeping until the reply to the last one has gone round
/// the server. One reader takes the replies in order and hands each to its call. An execution past
/// its deadline is interrupted, and a worker that does not answer the interrupt, or dies, is killed
/// and reported dead: its calls get an error, never a hang.
/// </summary>
public sealed partial class PythonWorker : IInterpreterWorker
{
    private readonly SandboxedProcess sandbox;
    private readonly Process process;
    private readonly NetworkStream channel;
    private readonly BufferedStream replies;
    private readonly Socket control; // the server names the request an interrupt means here; its end tells the worker the server is gone
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private readonly Queue<Call> calls = new(); // written and not yet answered, oldest first; under its own lock
    private readonly WorkerOptions options;
    private readonly ILogger logger;
    private readonly StringBuilder stderrTail;
    private readonly Timer watchdog;
    private Task reader = Task.CompletedTask;
    private volatile bool dead;
    private volatile bool stopping;
    private volatile bool killedAfterInterrupt;
    private long written; // requests written, which is the worker's number for the last of them
    private long lastCallTicks = long.MaxValue; // Stopwatch ticks the last answered call ran

    private PythonWorker(SandboxedProcess sandbox, NetworkStream channel, Socket control, StringBuilder stderrTail, WorkerOptions options, ILogger logger)
    {
        this.sandbox = sandbox;
        process = sandbox.Process;
        this.stderrTail = stderrTail;
        this.channel = channel;
        replies = new BufferedStream(channel, 64 * 1024);
        this.control = control;
        this.options = options;
        this.logger = logger;
        var tick = TimeSpan.FromTicks(Math.Clamp(Math.Min(options.ExecutionTimeout.Ticks, options.InterruptGrace.Ticks) / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
        watchdog = new Timer(static worker => ((PythonWorker)worker!).Watch(), this, tick, tick);
    }

    public string WorkingDirectory { get; private set; } = "";

    public bool IsAlive => !dead && !process.HasExited;

    /// <summary>Calls written to the worker and not yet answered.</summary>
    public int Pending
    {
        get
        {
            lock (calls)
            {
                return calls.Count;
            }
        }
    }

    /// <summary>
    /// Starts a worker in the sandbox with <paramref name="workingDirectory"/> as its own and waits
    /// until it is ready. The channels are two connections to a Unix domain socket in the worker's run
    /// directory (epoll-driven on both sides, unlike a pipe, whose asynchronous reads block a pool
    /// thread in .NET): the first carries the framed requests and replies, the second the numbers of
    /// the requests to interrupt. The worker proves itself with a one-time token.
    /// </summary>
    public static async Task<PythonWorker> StartAsync(
        Sandbox sandboxes, string interpreter, string workingDirectory, WorkerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        Socket? listener = null;
        SandboxedProcess? sandbox = null;
        Socket? connection = null;
        Socket? control = null;
        var stderr = new StringBuilder();
        try
        {
            var request = new SandboxRequest(
                _ => interpreter,
                layout => ["-u", $"{layout.Runtimes}/Python/ferry_worker.py", $"{layout.Run}/channel", options.MemoryLimitMb.ToString(CultureInfo.InvariantCulture)],
                workingDirectory)
            {
                Environment = new Dictionary<string, string> { ["FERRY_TOKEN"] = token, ["PYTHONUNBUFFERED"] = "1" },
                Network = sandboxes.NetworkAllowed,
                BeforeStart = (started, layout) =>
                {
                    var socketPath = Path.Combine(layout.HostRun, "channel");
                    listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    listener.Bind(new UnixDomainSocketEndPoint(socketPath));
                    listener.Listen(2);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(socketPath, (UnixFileMode)0x1B6); // 0666: the worker's account connects; the directory is its own
                    }

                    started.ErrorDataReceived += (_, e) => Keep(stderr, e.Data);
                },
            };
            sandbox = await sandboxes.StartAsync(request, cancellationToken);
            var process = sandbox.Process;
            process.BeginErrorReadLine();

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.StartTimeout);
            connection = await AcceptAsync(listener!, process, stderr, deadline.Token);
            control = await AcceptAsync(listener!, process, stderr, deadline.Token);
            listener!.Dispose();
            listener = null;
            File.Delete(Path.Combine(sandbox.Layout.HostRun, "channel"));

            var worker = new PythonWorker(sandbox, new NetworkStream(connection, ownsSocket: true), control, stderr, options, logger)
            {
                WorkingDirectory = workingDirectory,
            };
            connection = null;
            control = null;
            sandbox = null;
            using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ready.CancelAfter(options.StartTimeout);
            try
            {
                var hello = await FrameChannel.ReadAsync(worker.replies, ready.Token);
                var proof = new byte[token.Length]; // the token again, on the second connection
                for (int read = 0, got = -1; read < proof.Length && got != 0; read += got)
                {
                    got = await worker.control.ReceiveAsync(proof.AsMemory(read), ready.Token);
                }

                if (hello?["type"]?.GetValue<string>() != "ready" || hello["token"]?.GetValue<string>() != token || Encoding.ASCII.GetString(proof) != token)
                {
                    throw new WorkerDiedException($"The Python worker did not start: {Tail(stderr)}".Trim());
                }

                worker.reader = worker.ReadRepliesAsync();
            }
            catch
            {
                await worker.DisposeAsync();
                throw;
            }

            LogStarted(logger, process.Id, workingDirectory);
            return worker;
        }
        catch
        {
            listener?.Dispose();
            connection?.Dispose();
            control?.Dispose();
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync();
            }

            throw;
        }
    }

    private static async Task<Socket> AcceptAsync(Socket listener, Process process, StringBuilder stderr, CancellationToken cancellationToken)
    {
        var accept = listener.AcceptAsync(cancellationToken).AsTask();
        if (await Task.WhenAny(accept, process.WaitForExitAsync(cancellationToken)) != accept)
        {
            throw new WorkerDiedException($"The Python worker did not start: {Tail(stderr)}".Trim());
        }

        return await accept;
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
        if (request.StartBy is { } startBy)
        {
            message["startBy"] = MonotonicNanoseconds(startBy); // the worker's clock: CLOCK_MONOTONIC too
        }

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

    /// <summary>
    /// The worker writes the workspace into its run directory, and the server copies it out without
    /// following a link the worker may have put in its place.
    /// </summary>
    public async Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var name = $"workspace-{Guid.NewGuid():N}.dill";
        try
        {
            await RequestAsync(new JsonObject { ["type"] = "save_workspace", ["path"] = $"{sandbox.Layout.Run}/{name}" }, cancellationToken);
            await using var saved = ConfinedFiles.OpenRead(sandbox.Layout.HostRun, name)
                ?? throw FerryException.BadRequest("The worker did not save its workspace.");
            await using var target = new FileStream(path, FileMode.Create, FileAccess.Write);
            await saved.CopyToAsync(target, cancellationToken);
        }
        finally
        {
            File.Delete(Path.Combine(sandbox.Layout.HostRun, name));
        }
    }

    public async Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var name = $"workspace-{Guid.NewGuid():N}.dill";
        try
        {
            await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read))
            await using (var copy = ConfinedFiles.Create(sandbox.Layout.HostRun, name))
            {
                await source.CopyToAsync(copy, cancellationToken);
            }

            await RequestAsync(new JsonObject { ["type"] = "load_workspace", ["path"] = $"{sandbox.Layout.Run}/{name}" }, cancellationToken);
        }
        finally
        {
            File.Delete(Path.Combine(sandbox.Layout.HostRun, name));
        }
    }

    /// <summary>
    /// Gives a blank worker the working directory it will serve (the warm pool's hand-over): its own
    /// directory is renamed there, which the worker, seeing it by another name, does not notice.
    /// </summary>
    public bool TryMoveTo(string workingDirectory)
    {
        try
        {
            Directory.Delete(workingDirectory); // the caller's empty directory makes way
            Directory.Move(WorkingDirectory, workingDirectory);
            WorkingDirectory = workingDirectory;
            return true;
        }
        catch (IOException)
        {
            Directory.CreateDirectory(workingDirectory); // on another file system: the caller starts a worker there
            return false;
        }
    }

    public bool IsQuick(TimeSpan limit)
    {
        var ticks = (long)(limit.TotalSeconds * Stopwatch.Frequency);
        return Volatile.Read(ref lastCallTicks) < ticks && (Head() is not { } head || Stopwatch.GetTimestamp() - head.StartedAt < ticks);
    }

    /// <summary>Interrupts the running execution, if any; the worker lives on.</summary>
    public bool Interrupt()
    {
        var head = Head();
        return head is not null && Signal(head.Number);
    }

    public async ValueTask DisposeAsync()
    {
        stopping = true;
        dead = true;
        await watchdog.DisposeAsync();
        if (!process.HasExited)
        {
            try
            {
                await SendShutdownAsync().WaitAsync(TimeSpan.FromSeconds(1));
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
        await reader; // ends with the channel, failing any call still waiting
        await replies.DisposeAsync();
        control.Dispose();
        await sandbox.DisposeAsync();
    }

    /// <summary>One request and its reply; a reply naming an error becomes the matching 4xx.</summary>
    private async Task<JsonObject> RequestAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(request, cancellationToken);
        if (reply["error"] is JsonNode error)
        {
            throw reply["status"]?.GetValue<string>() switch
            {
                "notFound" => FerryException.NotFound(error.GetValue<string>()),
                "expired" => new FerryException(FerryErrorKind.Unavailable, error.GetValue<string>(), TimeSpan.FromSeconds(1)),
                _ => FerryException.BadRequest(error.GetValue<string>()),
            };
        }

        return reply;
    }

    /// <summary>
    /// One request and its reply. The request is written at once, behind any the worker has not
    /// answered yet. The deadline is kept by the watchdog timer, not by a timer per call (the consume
    /// path makes thousands of calls a second); cancellation interrupts the call the same way.
    /// </summary>
    private async Task<JsonObject> CallAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var frame = FrameChannel.Encode(request);
        var call = new Call(this);
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            if (!IsAlive)
            {
                throw new WorkerDiedException("The Python worker is no longer running.") { NotStarted = true };
            }

            lock (calls)
            {
                call.Number = ++written;
                calls.Enqueue(call);
                if (calls.Count == 1)
                {
                    Started(call);
                }
            }

            await channel.WriteAsync(frame, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not WorkerDiedException)
        {
            // A frame not written whole leaves the channel unusable: the worker goes, and the reader
            // fails every call written to it, this one included.
            Kill();
        }
        finally
        {
            writeGate.Release();
        }

        await using var cancelled = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((Call)state!).Interrupt(), call)
            : default;
        return await call.Task;
    }

    /// <summary>
    /// Takes the replies in order, each for the oldest call without one, until the channel ends;
    /// then every call still waiting fails: the oldest was running when the worker died, the others
    /// never started (and say so, so that a pool can run them elsewhere).
    /// </summary>
    private async Task ReadRepliesAsync()
    {
        while (true)
        {
            JsonObject? reply;
            try
            {
                reply = await FrameChannel.ReadAsync(replies, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException or System.Text.Json.JsonException)
            {
                reply = null;
            }

            if (reply is null)
            {
                await FailCallsAsync();
                return;
            }

            Call? answered;
            lock (calls)
            {
                if (calls.TryDequeue(out answered))
                {
                    Volatile.Write(ref lastCallTicks, Stopwatch.GetTimestamp() - answered.StartedAt);
                    if (calls.Count > 0)
                    {
                        Started(calls.Peek());
                    }
                }
            }

            if (answered is null)
            {
                // A reply nobody asked for: user code wrote to the channel. The worker is not to be trusted further.
                Kill();
                await FailCallsAsync();
                return;
            }

            answered.TrySetResult(reply); // runs the caller's continuation here: no hop to another thread
        }
    }

    private async Task FailCallsAsync()
    {
        var died = stopping ? new WorkerDiedException("The Python worker was stopped.")
            : killedAfterInterrupt ? new WorkerDiedException("The execution did not stop when interrupted; its worker was killed.")
            : await DiedAsync();
        Call[] failed;
        lock (calls)
        {
            dead = true;
            failed = [.. calls];
            calls.Clear();
        }

        for (var i = 0; i < failed.Length; i++)
        {
            failed[i].TrySetException(i == 0 ? died : new WorkerDiedException(died.Message) { NotStarted = true });
        }
    }

    /// <summary>Under the calls' lock: the oldest call has just started running in the worker (its caller may have given up already).</summary>
    private void Started(Call call)
    {
        call.StartedAt = Stopwatch.GetTimestamp();
        if (call.Cancelled)
        {
            InterruptCall(call);
        }
    }

    private Call? Head()
    {
        lock (calls)
        {
            return calls.Count > 0 ? calls.Peek() : null;
        }
    }

    /// <summary>Every tick: a call past its time limit is interrupted; one that ignores the interrupt past the grace is killed.</summary>
    private void Watch()
    {
        if (dead || Head() is not { } head)
        {
            return;
        }

        var interrupted = Volatile.Read(ref head.InterruptedAt);
        if (interrupted == 0)
        {
            if (Stopwatch.GetElapsedTime(head.StartedAt) > options.ExecutionTimeout)
            {
                InterruptCall(head);
            }
        }
        else if (Stopwatch.GetElapsedTime(interrupted) > options.InterruptGrace)
        {
            killedAfterInterrupt = true;
            Kill();
        }
    }

    /// <summary>
    /// Interrupts a call once, if it is the one running (past its deadline, or its caller gave up).
    /// A call written behind it is left alone; if its caller gave up, it is interrupted as it starts.
    /// </summary>
    private void InterruptCall(Call call)
    {
        if (Head() == call && Interlocked.CompareExchange(ref call.InterruptedAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            Signal(call.Number);
        }
    }

    /// <summary>
    /// Asks the worker to interrupt request <paramref name="number"/>: its control thread raises
    /// KeyboardInterrupt in the main thread if that request is running, and remembers it otherwise.
    /// The server sends no signal into the sandbox.
    /// </summary>
    private bool Signal(long number)
    {
        Span<byte> target = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(target, number);
        try
        {
            lock (control)
            {
                return control.Send(target) == 8;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task SendShutdownAsync()
    {
        await writeGate.WaitAsync();
        try
        {
            await FrameChannel.WriteAsync(channel, new JsonObject { ["type"] = "shutdown" }, CancellationToken.None);
        }
        finally
        {
            writeGate.Release();
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

    private static long MonotonicNanoseconds(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? timestamp : (long)(timestamp * (1e9 / Stopwatch.Frequency));

    /// <summary>A call written to the worker, answered by the reader in the order written.</summary>
    private sealed class Call(PythonWorker worker) : TaskCompletionSource<JsonObject>(TaskCreationOptions.None)
    {
        /// <summary>When it was sent its SIGINT (a Stopwatch timestamp; 0: not yet): the kill follows past the grace.</summary>
        public long InterruptedAt;

        public long Number { get; set; }

        /// <summary>When it became the oldest unanswered call, that is, began to run (a Stopwatch timestamp).</summary>
        public long StartedAt { get; set; }

        /// <summary>Its caller gave up: interrupted when running, or as soon as it starts.</summary>
        public bool Cancelled { get; private set; }

        public void Interrupt()
        {
            Cancelled = true;
            worker.InterruptCall(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Python worker {WorkerPid} started in {WorkingDirectory}")]
    private static partial void LogStarted(ILogger logger, int workerPid, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Python worker {WorkerPid} died (exit code {ExitCode})")]
    private static partial void LogDied(ILogger logger, int workerPid, string exitCode);
}
