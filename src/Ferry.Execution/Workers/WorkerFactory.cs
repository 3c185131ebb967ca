using Ferry.Core.Execution;
using Ferry.Execution.Runtimes;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Workers;

/// <summary>Starts workers of any installed runtime, from the warm pool when it can.</summary>
internal sealed class WorkerFactory(
    RuntimeCatalog runtimes, WarmWorkerPool warm, Sandbox sandbox, IOptions<WorkerOptions> options, TimeProvider time, ILogger<FrameWorker> logger) : IWorkerFactory
{
    public async Task<IWorker> StartAsync(RuntimeType runtime, string workingDirectory, string owner, CancellationToken cancellationToken)
    {
        var (chosen, info) = await runtimes.RequireAsync(runtime);
        if (warm.TryTake(runtime, out var ready))
        {
            // Its memory counts against the owner's from here on; one that cannot be moved is not used.
            if ((ready.Sandboxed is not { } sandboxed || sandbox.Adopt(sandboxed, owner)) && ready.TryMoveTo(workingDirectory))
            {
                return ready;
            }

            await WarmWorkerPool.DiscardAsync(ready); // its group would not move, or another file system: start one as if the pool were empty
        }

        return await FrameWorker.StartAsync(chosen, info, sandbox, workingDirectory, owner, options.Value, logger, time, cancellationToken);
    }
}
