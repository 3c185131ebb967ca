using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Workers;

/// <summary>Starts workers for the runtimes this server has, from the warm pool when it can; R is not supported yet.</summary>
internal sealed class WorkerFactory(PythonRuntime python, WarmWorkerPool warm, Sandbox sandbox, IOptions<WorkerOptions> options, ILogger<PythonWorker> logger) : IWorkerFactory
{
    public async Task<IInterpreterWorker> StartAsync(RuntimeType runtime, string workingDirectory, CancellationToken cancellationToken)
    {
        if (runtime != RuntimeType.Python)
        {
            throw FerryException.BadRequest("R sessions are not supported yet; create the session with \"runtimeType\": \"Python\".");
        }

        var info = await python.GetAsync();
        if (!info.IsUsable)
        {
            throw new FerryException(FerryErrorKind.Unavailable, $"Python sessions are unavailable on this server: {info.Problem}");
        }

        if (warm.TryTake(out var ready))
        {
            if (ready.TryMoveTo(workingDirectory))
            {
                return ready;
            }

            await WarmWorkerPool.DiscardAsync(ready); // on another file system: start one as if the pool were empty
        }

        return await PythonWorker.StartAsync(sandbox, info.Path!, workingDirectory, options.Value, logger, cancellationToken);
    }
}
