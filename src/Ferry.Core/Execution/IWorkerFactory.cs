namespace Ferry.Core.Execution;

/// <summary>Starts workers for a runtime in a working directory; a runtime this server lacks is a 400 naming what to install.</summary>
public interface IWorkerFactory
{
    Task<IWorker> StartAsync(RuntimeType runtime, string workingDirectory, CancellationToken cancellationToken);
}
