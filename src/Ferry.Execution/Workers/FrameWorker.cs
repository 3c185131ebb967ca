using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Files;
using Ferry.Execution.Processes;
using Ferry.Execution.Protocol;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Logging;

namespace Ferry.Execution.Workers;

/// <summary>
/// One worker process of any runtime speaking the frame protocol (docs/worker-protocol.md) over a socket. Calls may be pipelined:
/// a call is written as soon as it is made and the worker serves them in order, so a busy worker
/// finds its next call waiting instead of sleeping until the reply to the last one has gone round
/// the server. One reader takes the replies in order and hands each to its call. An execution past
/// its deadline is interrupted, and a worker that does not answer the interrupt, or dies, is killed
/// and reported dead: its calls get an error, never a hang.
/// </summary>
public sealed partial class FrameWorker : IWorker
{
    private readonly IRuntime runtime;
    private readonly IWorkerHost process;
    private readonly string name; // "the Python worker", for messages
    private readonly bool executesMany;
    private readonly TimeProvider time;
    private readonly NetworkStream channel;
    private readonly BufferedStream replies;
    private readonly Socket control; // the server names the request an interrupt means here; its end tells the worker the server is gone
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private readonly Queue<Call> calls = new(); // written and not yet answered, oldest first; under its own lock
    private readonly WorkerOptions options;
    private readonly ILogger logger;
    private readonly ITimer watchdog;
    private Task reader = Task.CompletedTask;
    private volatile bool dead;
    private volatile bool stopping;
    private volatile bool killedAfterInterrupt;
    private volatile bool killedForStalledFrame;
    private long frameStartedAt; // timestamp a frame's header arrived while its body is still coming (0: none)
    private int frameLength; // that frame's announced length, for the log
    private static readonly TimeSpan ForkTimeout = TimeSpan.FromSeconds(10);
    private int forks; // copies made, which names their sockets
    private long written; // requests written, which is the worker's number for the last of them
    private long lastCallTicks = long.MaxValue; // timestamp ticks the last answered call ran

    private FrameWorker(IRuntime runtime, IWorkerHost process, NetworkStream channel, Socket control, WorkerOptions options, ILogger logger, TimeProvider time)
    {
        this.runtime = runtime;
        Runtime = runtime.Type;
        executesMany = runtime.ExecutesMany;
        this.process = process;
        name = $"The {runtime.Type} worker";
        this.time = time;
        this.channel = channel;
        replies = new BufferedStream(channel, 64 * 1024);
        this.control = control;
        this.options = options;
        this.logger = logger;
        var shortest = Math.Min(Math.Min(options.ExecutionTimeout.Ticks, options.InterruptGrace.Ticks), options.FrameTimeout.Ticks);
        var tick = TimeSpan.FromTicks(Math.Clamp(shortest / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
        watchdog = time.CreateTimer(static worker => ((FrameWorker)worker!).Watch(), this, tick, tick);
    }

    public RuntimeType Runtime { get; }

    public string WorkingDirectory { get; private set; } = "";

    public bool CanFork => runtime.Forks;

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
    public static async Task<FrameWorker> StartAsync(
        IRuntime runtime, RuntimeInfo info, Sandbox sandboxes, string workingDirectory, string? owner, WorkerOptions options, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var token = NewToken();
        Socket? listener = null;
        string? socketPath = null;
        WorkerProcess? process = null;
        try
        {
            RuntimeCommand? command = null;
            RuntimeCommand Command(SandboxLayout layout) => command ??= runtime.Worker(info, layout, $"{layout.Run}/channel", options.MemoryLimitMb);
            var request = new SandboxRequest(layout => Command(layout).Program, layout => Command(layout).Arguments, workingDirectory)
            {
                Environment = new Dictionary<string, string>(runtime.Environment) { ["FERRY_TOKEN"] = token },
                Network = sandboxes.NetworkAllowed,
                Owner = owner,
                BeforeStart = (_, layout) =>
                {
                    socketPath = Path.Combine(layout.HostRun, "channel");
                    listener = Listen(socketPath);
                },
            };
            process = await WorkerProcess.StartAsync(sandboxes, request, output: null, cancellationToken);
        }
        catch
        {
            listener?.Dispose();
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            throw;
        }

        return await ConnectAsync(runtime, process, listener!, socketPath!, token, workingDirectory, options.StartTimeout, options, logger, time, cancellationToken);
    }

    /// <summary>
    /// A new worker forked from this one, which has been prepared as a template (a service's snapshot
    /// and initCode loaded, serving no calls): growing a pool costs a fork instead of an interpreter's
    /// start and imports, and the copies share the template's memory until they write it. The copy
    /// lives in the template's sandbox (its limits, namespaces and account) and works in
    /// <paramref name="workingDirectory"/>, a directory of its own in the template's. It connects like
    /// a started worker, with a token of its own; killing it is asked of the template, and failing
    /// that the template's sandbox goes with every copy in it. Only a runtime that <see cref="IRuntime.Forks"/>.
    /// </summary>
    public async Task<IWorker> ForkAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        if (!CanFork || !string.Equals(Path.GetDirectoryName(Path.GetFullPath(workingDirectory)), Path.GetFullPath(WorkingDirectory), StringComparison.Ordinal))
        {
            throw new ArgumentException($"A {Runtime} worker forks into a directory of its own working directory only.", nameof(workingDirectory));
        }

        var token = NewToken();
        var socketName = $"f{Interlocked.Increment(ref forks)}"; // short: a socket's path has at most 108 bytes
        var socketPath = Path.Combine(process.Layout.HostRun, socketName);
        var listener = Listen(socketPath);
        ForkedProcess copy;
        try
        {
            var reply = await RequestAsync(
                FrameChannel.Encode(new WorkerMessage("fork", Path: $"{process.Layout.Run}/{socketName}", Token: token, Directory: Path.GetFileName(workingDirectory))),
                cancellationToken);
            copy = new ForkedProcess(this, reply.Pid ?? throw new WorkerDiedException($"{name} did not fork: its answer has no pid."));
        }
        catch
        {
            listener.Dispose();
            File.Delete(socketPath);
            throw;
        }

        // A copy that fails before it connects is seen by nobody: it has a few seconds, not a start's time.
        var connectTimeout = TimeSpan.FromTicks(Math.Min(options.StartTimeout.Ticks, ForkTimeout.Ticks));
        return await ConnectAsync(runtime, copy, listener, socketPath, token, workingDirectory, connectTimeout, options, logger, time, cancellationToken);
    }

    /// <summary>The template's side of <see cref="ForkedProcess.Kill"/>: it kills the copy it made.</summary>
    internal async Task KillCopyAsync(int pid) =>
        await RequestAsync(FrameChannel.Encode(new WorkerMessage("kill", Pid: pid)), CancellationToken.None);

    /// <summary>Kills this worker's process and whatever it started (a template: every copy in its sandbox).</summary>
    internal void KillProcess() => Kill();

    internal SandboxLayout Layout => process.Layout;

    internal string StderrTail() => process.StderrTail();

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The socket a worker connects its two channels to; only the worker's account can reach its directory.</summary>
    private static Socket Listen(string socketPath)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(2);
            if (!OperatingSystem.IsWindows())
            {
                // 0666: the worker's account connects. The directory is its own, so never by path: a link renamed over the socket
                // would have the server (root) change the mode of whatever it names.
                ConfinedFiles.SetSocketMode(Path.GetDirectoryName(socketPath)!, Path.GetFileName(socketPath), (UnixFileMode)0x1B6);
            }

            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes a new worker's two connections on <paramref name="listener"/> and waits until it proves
    /// itself: <c>ready</c> with the token on the first, the token again on the second. Whatever fails
    /// takes the worker's process with it.
    /// </summary>
    private static async Task<FrameWorker> ConnectAsync(
        IRuntime runtime, IWorkerHost process, Socket listener, string socketPath, string token, string workingDirectory,
        TimeSpan timeout, WorkerOptions options, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        Socket? connection = null;
        Socket? control = null;
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                connection = await AcceptAsync(listener, process, runtime.Type, deadline.Token);
                control = await AcceptAsync(listener, process, runtime.Type, deadline.Token);
            }
        }
        catch
        {
            connection?.Dispose();
            process.Kill();
            await process.DisposeAsync();
            throw;
        }
        finally
        {
            listener.Dispose();
            File.Delete(socketPath);
        }

        var worker = new FrameWorker(runtime, process, new NetworkStream(connection, ownsSocket: true), control, options, logger, time)
        {
            WorkingDirectory = workingDirectory,
        };
        using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ready.CancelAfter(timeout);
        try
        {
            var hello = await FrameChannel.ReadAsync(worker.replies, ready.Token);
            var proof = new byte[token.Length]; // the token again, on the second connection
            for (int read = 0, got = -1; read < proof.Length && got != 0; read += got)
            {
                got = await worker.control.ReceiveAsync(proof.AsMemory(read), ready.Token);
            }

            if (hello?.Type != "ready" || hello.Token != token || Encoding.ASCII.GetString(proof) != token)
            {
                throw new WorkerDiedException($"{worker.name} did not start: {worker.process.StderrTail()}".Trim());
            }

            worker.reader = worker.ReadRepliesAsync();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await worker.DisposeAsync();
            throw new WorkerDiedException($"{worker.name} did not start: {ex.Message} {worker.process.StderrTail()}".Trim());
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        LogStarted(logger, runtime.Type, process.Id, workingDirectory);
        return worker;
    }

    private static async Task<Socket> AcceptAsync(Socket listener, IWorkerHost process, RuntimeType runtime, CancellationToken cancellationToken)
    {
        var accept = listener.AcceptAsync(cancellationToken).AsTask();
        if (await Task.WhenAny(accept, process.WaitForExitAsync(cancellationToken)) != accept)
        {
            throw new WorkerDiedException($"The {runtime} worker did not start: {process.StderrTail()}".Trim());
        }

        return await accept;
    }

    /// <summary>Runs code with inputs bound as variables and returns the named outputs.</summary>
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var message = new ExecuteMessage(
            request.Code,
            InputsOf(request.Inputs),
            [.. request.Outputs.Select(o => o.Name)],
            OutputTypesOf(request),
            request.OutputFiles,
            request.Isolated,
            request.StartBy is { } startBy ? MonotonicNanoseconds(startBy) : null); // the worker's clock: CLOCK_MONOTONIC too

        return ResultOf(await RequestAsync(FrameChannel.Encode(message), cancellationToken));
    }

    /// <summary>
    /// How long a chunk may keep taking records: chunks are sized to run in a few tens of milliseconds by
    /// the records before them, so a chunk past this has met slower records, and the rest run in the next.
    /// No record starts later, so the watchdog gives a chunk this much past the execution time limit.
    /// </summary>
    private static readonly TimeSpan ChunkBudget = TimeSpan.FromSeconds(1);

    /// <summary>One <c>execute_many</c> request when the runtime serves it; else one execution per record, written at once.</summary>
    public async Task<IReadOnlyList<ExecutionResult?>> ExecuteManyAsync(
        ExecutionRequest request, IReadOnlyList<IReadOnlyList<InputValue>> records, CancellationToken cancellationToken)
    {
        if (!executesMany)
        {
            return await this.ExecuteEachAsync(request, records, cancellationToken);
        }

        var message = new ExecuteManyMessage(
            request.Code,
            [.. records.Select(InputsOf)],
            [.. request.Outputs.Select(o => o.Name)],
            OutputTypesOf(request),
            request.OutputFiles,
            request.Isolated,
            (int)ChunkBudget.TotalMilliseconds,
            request.Cpus);
        var results = new ExecutionResult?[records.Count];
        try
        {
            // No record starts past ChunkBudget, so each has the whole time limit of its own.
            var reply = await RequestAsync(FrameChannel.Encode(message), cancellationToken, ChunkBudget);
            var answered = reply.Results ?? [];
            for (var i = 0; i < Math.Min(answered.Count, results.Length); i++)
            {
                results[i] = ResultOf(answered[i]);
            }
        }
        catch (WorkerDiedException died) when (!died.NotStarted)
        {
            // Which record killed it is not known: none has a result, and each runs again on its own.
        }

        return results;
    }

    private static IReadOnlyList<InputMessage> InputsOf(IReadOnlyList<InputValue> inputs) =>
        [.. inputs.Select(i => new InputMessage(i.Name, i.Value?.DeepClone(), i.Type))];

    private static Dictionary<string, string> OutputTypesOf(ExecutionRequest request) =>
        request.Outputs.Where(o => o.Type is not null).ToDictionary(o => o.Name, o => o.Type!);

    private static ExecutionResult ResultOf(WorkerReply reply) =>
        new(
            reply.Success,
            reply.ErrorMessage ?? "",
            reply.ConsoleOutput ?? "",
            [.. (reply.OutputParameters ?? []).Select(o => (o.Name, o.Value))],
            reply.ChangedFiles ?? [])
        {
            OutputFiles = reply.OutputFiles ?? new Dictionary<string, string>(),
        };

    public async Task<IReadOnlyList<string>> ListObjectsAsync(CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(FrameChannel.Encode(WorkerMessage.WorkspaceList), cancellationToken);
        return reply.Names ?? [];
    }

    public async Task<byte[]> GetObjectAsync(string name, CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(FrameChannel.Encode(new WorkerMessage("workspace_get", name)), cancellationToken);
        return Convert.FromBase64String(reply.Data ?? "");
    }

    public Task SetObjectAsync(string name, byte[] data, CancellationToken cancellationToken) =>
        RequestAsync(FrameChannel.Encode(new WorkerMessage("workspace_set", name, Convert.ToBase64String(data))), cancellationToken);

    public Task DeleteObjectAsync(string name, CancellationToken cancellationToken) =>
        RequestAsync(FrameChannel.Encode(new WorkerMessage("workspace_delete", name)), cancellationToken);

    /// <summary>
    /// The worker writes the workspace into its run directory, and the server copies it out without
    /// following a link the worker may have put in its place.
    /// </summary>
    public async Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var file = $"workspace-{Guid.NewGuid():N}";
        try
        {
            await RequestAsync(FrameChannel.Encode(new WorkerMessage("save_workspace", Path: $"{process.Layout.Run}/{file}")), cancellationToken);
            await using var saved = ConfinedFiles.OpenRead(process.Layout.HostRun, file)
                ?? throw FerryException.BadRequest("The worker did not save its workspace.");
            await using var target = new FileStream(path, FileMode.Create, FileAccess.Write);
            await saved.CopyToAsync(target, cancellationToken);
        }
        finally
        {
            File.Delete(Path.Combine(process.Layout.HostRun, file));
        }
    }

    public async Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var file = $"workspace-{Guid.NewGuid():N}";
        try
        {
            await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read))
            await using (var copy = ConfinedFiles.Create(process.Layout.HostRun, file))
            {
                await source.CopyToAsync(copy, cancellationToken);
            }

            await RequestAsync(FrameChannel.Encode(new WorkerMessage("load_workspace", Path: $"{process.Layout.Run}/{file}")), cancellationToken);
        }
        finally
        {
            File.Delete(Path.Combine(process.Layout.HostRun, file));
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

    /// <summary>A started worker's sandbox (null for a copy forked inside its template's).</summary>
    internal SandboxedProcess? Sandboxed => (process as WorkerProcess)?.Sandboxed;

    public bool IsQuick(TimeSpan limit)
    {
        var ticks = (long)(limit.TotalSeconds * time.TimestampFrequency);
        return Volatile.Read(ref lastCallTicks) < ticks && (Head() is not { } head || time.GetTimestamp() - head.StartedAt < ticks);
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
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        await channel.DisposeAsync();
        await reader; // ends with the channel, failing any call still waiting
        await replies.DisposeAsync();
        control.Dispose();
        await process.DisposeAsync();
    }

    /// <summary>
    /// One request and its reply; a reply naming an error becomes the matching 4xx. The request may run
    /// <paramref name="leeway"/> past the execution time limit (a chunk: its last record may start that late).
    /// </summary>
    private async Task<WorkerReply> RequestAsync(byte[] frame, CancellationToken cancellationToken, TimeSpan leeway = default)
    {
        var reply = await CallAsync(frame, leeway, cancellationToken);
        if (reply.Error is { } error)
        {
            throw reply.Status switch
            {
                "notFound" => FerryException.NotFound(error),
                "expired" => new FerryException(FerryErrorKind.Unavailable, error, TimeSpan.FromSeconds(1)),
                _ => FerryException.BadRequest(error),
            };
        }

        return reply;
    }

    /// <summary>
    /// One request and its reply. The request is written at once, behind any the worker has not
    /// answered yet. The deadline is kept by the watchdog timer, not by a timer per call (the consume
    /// path makes thousands of calls a second); cancellation interrupts the call the same way.
    /// </summary>
    private async Task<WorkerReply> CallAsync(byte[] frame, TimeSpan leeway, CancellationToken cancellationToken)
    {
        var call = new Call(this) { Leeway = leeway };
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            if (!IsAlive)
            {
                throw new WorkerDiedException($"{name} is no longer running.") { NotStarted = true };
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
    /// never started (and say so, so that a pool can run them elsewhere). Once a frame's header has
    /// come, the watchdog gives its body <see cref="WorkerOptions.FrameTimeout"/> to follow.
    /// </summary>
    private async Task ReadRepliesAsync()
    {
        while (true)
        {
            WorkerReply? reply = null;
            try
            {
                if (await FrameChannel.ReadLengthAsync(replies, CancellationToken.None) is { } length)
                {
                    frameLength = length;
                    Volatile.Write(ref frameStartedAt, time.GetTimestamp());
                    reply = await FrameChannel.ReadBodyAsync(replies, length, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException or NotSupportedException)
            {
                // NotSupportedException: the buffer over a channel disposed meanwhile finds it no longer readable
                reply = null;
            }
            finally
            {
                Volatile.Write(ref frameStartedAt, 0);
            }

            if (reply is null)
            {
                process.ChannelClosed();
                await FailCallsAsync();
                return;
            }

            Call? answered;
            lock (calls)
            {
                if (calls.TryDequeue(out answered))
                {
                    Volatile.Write(ref lastCallTicks, time.GetTimestamp() - answered.StartedAt);
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
        var died = stopping ? new WorkerDiedException($"{name} was stopped.")
            : killedAfterInterrupt ? new WorkerDiedException("The execution did not stop when interrupted; its worker was killed.")
            : killedForStalledFrame ? new WorkerDiedException(
                $"{name} began a reply and did not finish it within {options.FrameTimeout.TotalSeconds:0.###} s (user code writing to the worker's channel?); the worker was killed.")
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
        call.StartedAt = time.GetTimestamp();
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

    /// <summary>
    /// Every tick: a frame whose body stalls past <see cref="WorkerOptions.FrameTimeout"/> breaks the channel; a call
    /// past its time limit is interrupted; one that ignores the interrupt past the grace is killed.
    /// </summary>
    private void Watch()
    {
        if (dead)
        {
            return;
        }

        var frame = Volatile.Read(ref frameStartedAt);
        if (frame != 0 && time.GetElapsedTime(frame) > options.FrameTimeout)
        {
            BreakChannel();
            return;
        }

        if (Head() is not { } head)
        {
            return;
        }

        var interrupted = Volatile.Read(ref head.InterruptedAt);
        if (interrupted == 0)
        {
            if (time.GetElapsedTime(head.StartedAt) > options.ExecutionTimeout + head.Leeway)
            {
                InterruptCall(head);
            }
        }
        else if (time.GetElapsedTime(interrupted) > options.InterruptGrace)
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
        if (Head() == call && Interlocked.CompareExchange(ref call.InterruptedAt, time.GetTimestamp(), 0) == 0)
        {
            Signal(call.Number);
        }
    }

    /// <summary>
    /// Asks the worker to interrupt request <paramref name="number"/>: its control thread raises
    /// an interrupt in its main thread if that request is running (Python's KeyboardInterrupt, R's
    /// interrupt condition), and remembers it otherwise.
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

    /// <summary>
    /// A frame begun and not finished: the worker is killed, and the channel shut on this side too, so the
    /// reader's wait ends (and the part it holds goes) even if something in the sandbox still has the other end.
    /// The reader then fails the calls as for a worker that died.
    /// </summary>
    private void BreakChannel()
    {
        LogFrameStalled(logger, Runtime, process.Id, frameLength, options.FrameTimeout);
        killedForStalledFrame = true;
        Kill();
        try
        {
            channel.Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already closed: the reader has its end
        }
    }

    private async Task SendShutdownAsync()
    {
        await writeGate.WaitAsync();
        try
        {
            await channel.WriteAsync(FrameChannel.Encode(WorkerMessage.Shutdown), CancellationToken.None);
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

        LogDied(logger, Runtime, process.Id, process.ExitCode);
        return new WorkerDiedException($"{name} exited unexpectedly (exit code {process.ExitCode}). {process.StderrTail()}".Trim());
    }

    private void Kill()
    {
        dead = true;
        process.Kill();
    }

    /// <summary>A timestamp of the system clock (CLOCK_MONOTONIC, as the worker reads it) in nanoseconds.</summary>
    private static long MonotonicNanoseconds(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? timestamp : (long)(timestamp * (1e9 / Stopwatch.Frequency));

    /// <summary>A call written to the worker, answered by the reader in the order written.</summary>
    private sealed class Call(FrameWorker worker) : TaskCompletionSource<WorkerReply>(TaskCreationOptions.None)
    {
        /// <summary>When it was interrupted (a timestamp; 0: not yet): the kill follows past the grace.</summary>
        public long InterruptedAt;

        public long Number { get; set; }

        /// <summary>When it became the oldest unanswered call, that is, began to run (a timestamp).</summary>
        public long StartedAt { get; set; }

        /// <summary>How long it may run past the execution time limit.</summary>
        public TimeSpan Leeway { get; init; }

        /// <summary>Its caller gave up: interrupted when running, or as soon as it starts.</summary>
        public bool Cancelled { get; private set; }

        public void Interrupt()
        {
            Cancelled = true;
            worker.InterruptCall(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Runtime} worker {WorkerPid} started in {WorkingDirectory}")]
    private static partial void LogStarted(ILogger logger, RuntimeType runtime, int workerPid, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Runtime} worker {WorkerPid} began a frame of {FrameBytes} bytes and did not finish it within {FrameTimeout}; killed")]
    private static partial void LogFrameStalled(ILogger logger, RuntimeType runtime, int workerPid, int frameBytes, TimeSpan frameTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Runtime} worker {WorkerPid} died (exit code {ExitCode})")]
    private static partial void LogDied(ILogger logger, RuntimeType runtime, int workerPid, string exitCode);
}
