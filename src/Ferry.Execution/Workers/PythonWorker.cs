using System.Diagnostics;
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
    private readonly Stream input;
    private readonly Stream output;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly WorkerOptions options;
    private readonly ILogger logger;
    private readonly StringBuilder stderrTail = new();
    private volatile bool busy;
    private volatile bool dead;

    private PythonWorker(Process process, WorkerOptions options, ILogger logger)
    {
        this.process = process;
        this.options = options;
        this.logger = logger;
        input = process.StandardInput.BaseStream;
        output = process.StandardOutput.BaseStream;
        process.ErrorDataReceived += (_, e) => KeepStderr(e.Data);
        process.BeginErrorReadLine();
    }

    public int ProcessId => process.Id;

    public string WorkingDirectory { get; private set; } = "";

    public bool IsAlive => !dead && !process.HasExited;

    /// <summary>Starts a worker in <paramref name="workingDirectory"/> and waits until it is ready.</summary>
    public static async Task<PythonWorker> StartAsync(
        string interpreter, string workingDirectory, WorkerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(interpreter)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(ScriptPath);
        info.Environment["FERRY_MEMORY_LIMIT_MB"] = options.MemoryLimitMb.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PYTHONUNBUFFERED"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {interpreter}.");
        var worker = new PythonWorker(process, options, logger) { WorkingDirectory = workingDirectory };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        try
        {
            var ready = await FrameChannel.ReadAsync(worker.output, deadline.Token);
            if (ready?["type"]?.GetValue<string>() != "ready")
            {
                throw new WorkerDiedException($"The Python worker did not start: {worker.StderrTail()}");
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
        if (!process.HasExited)
        {
            try
            {
                await FrameChannel.WriteAsync(input, new JsonObject { ["type"] = "shutdown" }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
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

    private async Task<JsonObject> CallAsync(JsonObject request, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsAlive)
            {
                throw new WorkerDiedException("The Python worker is no longer running.");
            }

            busy = true;
            await FrameChannel.WriteAsync(input, request, CancellationToken.None);
            var reply = FrameChannel.ReadAsync(output, CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.ExecutionTimeout);
            var finished = await Task.WhenAny(reply, Task.Delay(Timeout.Infinite, deadline.Token));
            if (finished != reply)
            {
                // Past the deadline or cancelled: interrupt, give it a moment, then kill.
                Signals.Interrupt(process.Id);
                if (await Task.WhenAny(reply, Task.Delay(options.InterruptGrace, CancellationToken.None)) != reply)
                {
                    Kill();
                    throw new WorkerDiedException("The execution did not stop when interrupted; its worker was killed.");
                }
            }

            return await reply ?? throw await DiedAsync();
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

    private void KeepStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (stderrTail)
        {
            stderrTail.AppendLine(line);
            if (stderrTail.Length > 4096)
            {
                stderrTail.Remove(0, stderrTail.Length - 4096);
            }
        }
    }

    private string StderrTail()
    {
        lock (stderrTail)
        {
            return stderrTail.ToString().Trim();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Python worker {WorkerPid} started in {WorkingDirectory}")]
    private static partial void LogStarted(ILogger logger, int workerPid, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Python worker {WorkerPid} died (exit code {ExitCode})")]
    private static partial void LogDied(ILogger logger, int workerPid, string exitCode);
}
