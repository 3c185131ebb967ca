using System.Threading.Channels;
using Ferry.Core.Execution;
using Ferry.Core.Files;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Workers;

/// <summary>
/// Blank workers started ahead of need, <see cref="WorkerOptions.WarmPoolSize"/> for each installed
/// runtime, so a new session or service worker does not wait for an interpreter to start. Taking one
/// wakes that runtime's background refill; a size of 0 is off.
/// </summary>
public sealed partial class WarmWorkerPool(RuntimeCatalog runtimes, Sandbox sandbox, IOptions<WorkerOptions> options, TimeProvider time, ILogger<WarmWorkerPool> logger)
    : BackgroundService
{
    private readonly Dictionary<RuntimeType, Shelf> shelves = runtimes.All.ToDictionary(r => r.Type, _ => new Shelf());

    /// <summary>Blank workers of <paramref name="runtime"/> ready now.</summary>
    public int Count(RuntimeType runtime) => shelves[runtime].Idle.Reader.Count;

    /// <summary>A started blank worker of <paramref name="runtime"/>, if one is ready; its directory is the pool's until moved.</summary>
    public bool TryTake(RuntimeType runtime, out FrameWorker worker)
    {
        var shelf = shelves[runtime];
        while (shelf.Idle.Reader.TryRead(out worker!))
        {
            shelf.Taken.Release();
            if (worker.IsAlive)
            {
                return true;
            }

            _ = DiscardAsync(worker);
        }

        return false;
    }

    internal static async Task DiscardAsync(FrameWorker worker)
    {
        await worker.DisposeAsync();
        _ = ConfinedFiles.TryDeleteTree(worker.WorkingDirectory);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var shelf in shelves.Values)
        {
            shelf.Idle.Writer.TryComplete();
            while (shelf.Idle.Reader.TryRead(out var worker))
            {
                await DiscardAsync(worker);
            }
        }
    }

    public override void Dispose()
    {
        foreach (var shelf in shelves.Values)
        {
            shelf.Taken.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WarmPoolSize <= 0 || !(await sandbox.GetStateAsync()).Usable)
        {
            return; // off, or the sandbox says why no code can run, once
        }

        // Blank workers live in directories of their own, renamed to a session's or service's when taken.
        var root = Path.GetFullPath(string.IsNullOrEmpty(options.Value.Directory) ? Path.Combine(Path.GetTempPath(), "ferry-warm-workers") : options.Value.Directory);
        if (Directory.Exists(root))
        {
            _ = ConfinedFiles.TryDeleteTree(root); // what a previous run left
        }

        await Task.WhenAll(runtimes.All.Select(runtime => FillAsync(runtime, root, stoppingToken)));
    }

    /// <summary>Keeps one runtime's shelf full until the server stops.</summary>
    private async Task FillAsync(IRuntime runtime, string root, CancellationToken stoppingToken)
    {
        var info = await runtime.GetAsync();
        if (!info.IsUsable)
        {
            LogUnusable(logger, runtime.Type, info.Problem ?? "not found");
            return;
        }

        var shelf = shelves[runtime.Type];
        while (!stoppingToken.IsCancellationRequested)
        {
            while (shelf.Idle.Reader.Count < options.Value.WarmPoolSize && !stoppingToken.IsCancellationRequested)
            {
                var home = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;
                try
                {
                    var worker = await FrameWorker.StartAsync(runtime, info, sandbox, home, owner: null, options.Value, logger, time, stoppingToken);
                    if (!shelf.Idle.Writer.TryWrite(worker))
                    {
                        await DiscardAsync(worker);
                        return;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    _ = ConfinedFiles.TryDeleteTree(home);
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _ = ConfinedFiles.TryDeleteTree(home);
                    // A worker that fails to start now may start later; do not spin.
                    LogStartFailed(logger, ex, runtime.Type);
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
                }
            }

            try
            {
                await shelf.Taken.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One runtime's blank workers, and the signal that one was taken.</summary>
    private sealed class Shelf
    {
        public Channel<FrameWorker> Idle { get; } = Channel.CreateUnbounded<FrameWorker>();

        public SemaphoreSlim Taken { get; } = new(0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No warm {Runtime} workers: the runtime is unusable ({Problem})")]
    private static partial void LogUnusable(ILogger logger, RuntimeType runtime, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A warm {Runtime} worker failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, RuntimeType runtime);
}
