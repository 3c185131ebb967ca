using System.Threading.Channels;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Workers;

/// <summary>
/// Blank Python workers started ahead of need, so a new session or service worker does not wait for
/// an interpreter to start. Taking one wakes the background refill; a pool of size 0 is off.
/// </summary>
public sealed partial class WarmWorkerPool(PythonRuntime python, Sandbox sandbox, IOptions<WorkerOptions> options, ILogger<PythonWorker> logger) : BackgroundService
{
    private readonly Channel<PythonWorker> idle = Channel.CreateUnbounded<PythonWorker>();
    private readonly SemaphoreSlim taken = new(0);

    /// <summary>Blank workers ready now.</summary>
    public int Count => idle.Reader.Count;

    /// <summary>A started blank worker, if one is ready; the pool refills in the background.</summary>
    public bool TryTake(out PythonWorker worker)
    {
        while (idle.Reader.TryRead(out worker!))
        {
            taken.Release();
            if (worker.IsAlive)
            {
                return true;
            }

            _ = DiscardAsync(worker);
        }

        return false;
    }

    /// <summary>Stops a blank worker nobody took and removes its directory.</summary>
    internal static async Task DiscardAsync(PythonWorker worker)
    {
        await worker.DisposeAsync();
        Sandbox.TryDelete(worker.WorkingDirectory);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        idle.Writer.TryComplete();
        while (idle.Reader.TryRead(out var worker))
        {
            await DiscardAsync(worker);
        }
    }

    public override void Dispose()
    {
        taken.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var size = options.Value.WarmPoolSize;
        if (size <= 0)
        {
            return;
        }

        var runtime = await python.GetAsync();
        if (!runtime.IsUsable)
        {
            LogNoPython(logger, runtime.Problem ?? "not found");
            return;
        }

        if (!(await sandbox.GetStateAsync()).Usable)
        {
            return; // the sandbox says why, once
        }

        // Blank workers live in directories of their own, renamed to a session's or service's when taken.
        var root = Path.GetFullPath(string.IsNullOrEmpty(options.Value.Directory) ? Path.Combine(Path.GetTempPath(), "ferry-warm-workers") : options.Value.Directory);
        if (Directory.Exists(root))
        {
            Sandbox.TryDelete(root); // what a previous run left
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            while (idle.Reader.Count < size && !stoppingToken.IsCancellationRequested)
            {
                var home = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;
                try
                {
                    var worker = await PythonWorker.StartAsync(sandbox, runtime.Path!, home, options.Value, logger, stoppingToken);
                    if (!idle.Writer.TryWrite(worker))
                    {
                        await DiscardAsync(worker);
                        return;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    Sandbox.TryDelete(home);
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Sandbox.TryDelete(home);
                    // A worker that fails to start now may start later; do not spin.
                    LogStartFailed(logger, ex);
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                }
            }

            try
            {
                await taken.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No warm Python workers: Python is unusable ({Problem})")]
    private static partial void LogNoPython(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A warm Python worker failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);
}
