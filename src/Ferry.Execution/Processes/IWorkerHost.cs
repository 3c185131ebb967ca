using Ferry.Execution.Sandboxing;

namespace Ferry.Execution.Processes;

/// <summary>
/// The process behind a frame worker, as the worker sees it: a sandboxed process of its own
/// (<see cref="WorkerProcess"/>), or a copy forked inside another worker's sandbox (<see cref="ForkedProcess"/>).
/// </summary>
internal interface IWorkerHost : IAsyncDisposable
{
    /// <summary>Its process id, for the log.</summary>
    int Id { get; }

    SandboxLayout Layout { get; }

    bool HasExited { get; }

    /// <summary>The exit code, or "unknown".</summary>
    string ExitCode { get; }

    /// <summary>The last lines written to standard error.</summary>
    string StderrTail();

    Task WaitForExitAsync(CancellationToken cancellationToken = default);

    /// <summary>Kills it and everything it started; nothing when it is gone already.</summary>
    void Kill();

    /// <summary>The worker's channel ended: the worker closed it, in ending.</summary>
    void ChannelClosed();
}
