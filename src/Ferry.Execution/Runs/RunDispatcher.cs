using System.Collections.Concurrent;
using Ferry.Core.Arm;
using Ferry.Core.Diagnostics;
using Ferry.Core.Execution;
using Ferry.Core.Runs;
using Ferry.Execution.Processes;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Sandboxing;
using Ferry.Execution.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Runs;

/// <summary>
/// Runs queued runs on their targets: each in a fresh Python process in its own directory, at most
/// <c>maxNodeCount</c> at once per compute (one per core on <c>local</c>), its output in
/// <c>azureml-logs/70_driver_log.txt</c>, stopped past <c>MaxRunDurationSeconds</c> or when
/// cancelled. The queue is the database: queued runs wait out a restart; a run a restart cut off
/// ends Failed with that reason.
/// </summary>
public sealed partial class RunDispatcher(
    IRunStore store, IComputeStore computes, RuntimeCatalog runtimes, Sandbox sandbox, IOptions<WorkerOptions> workers, IOptions<RunOptions> runOptions,
    FerryMetrics metrics, TimeProvider time, ILogger<RunDispatcher> logger)
    : BackgroundService, IRunDispatcher
{
    public const string DriverLog = "azureml-logs/70_driver_log.txt";

    private const int SignalExitBase = 128;
    private const int CpuLimitSignal = 24; // SIGXCPU
    private readonly SemaphoreSlim wake = new(0);
    private readonly ConcurrentDictionary<string, ActiveRun> active = new();
    private volatile int queued; // as the last look at the queue left it

    public void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    public Task EnsureCanRunAsync() => sandbox.EnsureAvailableAsync();

    public bool Cancel(string runId)
    {
        if (!active.TryGetValue(runId, out var run))
        {
            return false;
        }

        run.Canceled = true;
        run.Stop();
        return true;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var run in active.Values)
        {
            run.StoppedByServer = true;
            run.Stop();
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveActiveRuns(CountByState);
        foreach (var run in await store.ListCutOffAsync(stoppingToken))
        {
            await store.MoveAsync(metrics, run.RunId, RunStatus.Failed, time.GetUtcNow(), "The run was cut off by a server restart; submit it again.", stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken);
                await wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        var waiting = await store.ListByStatusAsync(RunStatus.Queued, cancellationToken);
        var left = waiting.Count;
        foreach (var run in waiting)
        {
            var key = $"{run.Experiment.ResourceGroup}/{run.Experiment.Workspace}/{run.Target}".ToUpperInvariant();
            int capacity;
            if (string.Equals(run.Target, "local", StringComparison.OrdinalIgnoreCase))
            {
                capacity = Environment.ProcessorCount;
            }
            else if (await computes.FindAsync(run.Experiment.ResourceGroup, run.Experiment.Workspace, run.Target, cancellationToken) is { } compute)
            {
                capacity = compute.MaxNodeCount;
            }
            else
            {
                await store.MoveAsync(metrics, run.RunId, RunStatus.Failed, time.GetUtcNow(), $"Compute target '{run.Target}' no longer exists.", cancellationToken);
                left--;
                continue;
            }

            if (active.Values.Count(a => a.TargetKey == key) < capacity)
            {
                // Active before the claim, so a cancel from now on stops it; a run canceled since the
                // listing, or taken by another dispatcher, is not claimed and leaves again.
                var started = new ActiveRun(key);
                active[run.RunId] = started;
                left--; // claimed here, or by another node, or canceled: no longer queued
                if (!await store.TryClaimAsync(run.RunId, cancellationToken))
                {
                    active.TryRemove(run.RunId, out _);
                    continue;
                }

                metrics.RunEntered(RunStatus.Preparing);
                _ = Task.Run(() => ExecuteRunAsync(run, started), CancellationToken.None);
            }
        }

        queued = left;
    }

    private IEnumerable<KeyValuePair<string, int>> CountByState()
    {
        yield return new(RunStatus.Queued, queued);
        foreach (var state in (string[])[RunStatus.Preparing, RunStatus.Running, RunStatus.Finalizing])
        {
            yield return new(state, active.Values.Count(a => a.State == state));
        }
    }

    private async Task ExecuteRunAsync(Run run, ActiveRun state)
    {
        // The run stays active (holding its target's slot) until its end is stored, so ferry.runs.active sees Finalizing too.
        try
        {
            string status, reason;
            try
            {
                (status, reason) = await RunScriptAsync(run, state);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever stops it (a project whose azureml-logs/70_driver_log.txt is a directory, say), the run ends Failed:
                // left Preparing it could never end nor be canceled, and would hold one of its user's active runs for good.
                LogRunFailed(logger, ex, run.RunId);
                // Ferry's own reasons are the user's to read; the system's name server paths, so they stay in the log.
                (status, reason) = (RunStatus.Failed, ex is Core.Errors.FerryException
                    ? $"The run could not be started: {ex.Message}"
                    : "The run could not be started; the server log has the details.");
            }

            if (status == RunStatus.Completed)
            {
                state.State = RunStatus.Finalizing;
                await store.MoveAsync(metrics, run.RunId, RunStatus.Finalizing, time.GetUtcNow(), null, CancellationToken.None);
            }

            await store.MoveAsync(metrics, run.RunId, status, time.GetUtcNow(), status == RunStatus.Completed ? null : reason, CancellationToken.None);
        }
        finally
        {
            active.TryRemove(run.RunId, out _);
        }

        Wake();
    }

    private async Task<(string Status, string Reason)> RunScriptAsync(Run run, ActiveRun state)
    {
        // An .R script runs with Rscript; anything else with Python, as Azure ML runs it.
        var runtime = runtimes.ForScript(run.Script) ?? runtimes[RuntimeType.Python];
        var info = await runtime.GetAsync();
        if (!info.IsUsable)
        {
            return (RunStatus.Failed, $"{runtime.Type} is unavailable on this server: {info.Problem}");
        }

        Directory.CreateDirectory(Path.Combine(run.Directory, "outputs"));
        var logPath = Path.Combine(run.Directory, DriverLog);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await using var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        var home = sandbox.HomeFor(run.Directory);
        RuntimeCommand? command = null;
        RuntimeCommand Command(SandboxLayout layout) => command ??= runtime.Run(info, layout, run.Script, run.Arguments);
        var request = new SandboxRequest(layout => Command(layout).Program, layout => Command(layout).Arguments, run.Directory)
        {
            Environment = new Dictionary<string, string>(runtime.Environment)
            {
                ["AZUREML_RUN_ID"] = run.RunId,
                ["AZUREML_EXPERIMENT_NAME"] = run.Experiment.Name,
                ["AZUREML_RUN_TARGET"] = run.Target,
                [RunMetrics.EnvironmentVariable] = $"{home}/{RunMetrics.File}",
            },
            Network = sandbox.RunNetworkAllowed,
            MemoryLimitMb = workers.Value.MemoryLimitMb,
            CpuSeconds = sandbox.RunCpuSeconds,
            Owner = run.SubmittedBy,
        };
        var room = runOptions.Value.MaxLogBytes;
        await using var process = await WorkerProcess.StartAsync(sandbox, request, line => Append(log, line, ref room), CancellationToken.None);
        state.Attach(process);
        await store.MoveAsync(metrics, run.RunId, RunStatus.Running, time.GetUtcNow(), null, CancellationToken.None);
        state.State = RunStatus.Running;

        using var limit = run.MaxDurationSeconds is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time) : new CancellationTokenSource();
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            state.Stop();
            await process.WaitForExitAsync();
            return (RunStatus.Failed, $"The run exceeded its MaxRunDurationSeconds of {run.MaxDurationSeconds} s and was stopped.");
        }

        await process.WaitForExitAsync(); // drains the output readers into the log
        if (state.Canceled)
        {
            return (RunStatus.Canceled, "Canceled while running.");
        }

        if (state.StoppedByServer)
        {
            return (RunStatus.Failed, "The server stopped while the run was running; submit it again.");
        }

        return process.Process.ExitCode switch
        {
            0 => (RunStatus.Completed, ""),
            SignalExitBase + CpuLimitSignal => (RunStatus.Failed, $"The run used up its CPU time limit of {sandbox.RunCpuSeconds} s (Ferry:Sandbox:RunCpuSeconds) and was stopped."),
            var code => (RunStatus.Failed, $"The script exited with code {code}; see {DriverLog}."),
        };
    }

    /// <summary>Appends a line while the log has room; the line that finds none is replaced by a note, and the rest is dropped.</summary>
    private static void Append(StreamWriter log, string line, ref long room)
    {
        lock (log)
        {
            if (room < 0)
            {
                return;
            }

            room -= line.Length + 1;
            log.WriteLine(room >= 0 ? line : "[Ferry: the run's output passed the log's limit (Ferry:Runs:MaxLogBytes); the rest is not kept]");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} could not be executed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string runId);

    /// <summary>A run on its way: its target's key, its process once started, and why it was stopped.</summary>
    private sealed class ActiveRun(string targetKey)
    {
        private WorkerProcess? process;

        public string TargetKey { get; } = targetKey;

        public volatile bool Canceled;

        public volatile bool StoppedByServer;

        /// <summary>The state it was last moved to (Preparing, Running, Finalizing).</summary>
        public volatile string State = RunStatus.Preparing;

        public void Attach(WorkerProcess started)
        {
            process = started;
            if (Canceled || StoppedByServer)
            {
                Stop();
            }
        }

        public void Stop()
        {
            process?.Kill();
        }
    }
}
