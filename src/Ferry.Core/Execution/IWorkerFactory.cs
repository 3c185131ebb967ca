namespace Ferry.Core.Execution;

/// <summary>Starts workers for a runtime in a working directory; a runtime this server lacks is a 400 naming what to install.</summary>
public interface IWorkerFactory
{
    /// <summary>Starts a worker for <paramref name="owner"/>'s code: what it holds counts against that user's bounds.</summary>
    Task<IWorker> StartAsync(RuntimeType runtime, string workingDirectory, string owner, CancellationToken cancellationToken);
}
