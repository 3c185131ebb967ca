namespace Ferry.Core.Execution;

/// <summary>
/// One interpreter process that runs code in its working directory, whatever its language
/// (Ferry.Execution implements it). A dead worker throws <see cref="WorkerDiedException"/>; a request
/// it cannot serve throws a <see cref="Errors.FerryException"/> naming the problem.
/// </summary>
public interface IWorker : IAsyncDisposable
{
    RuntimeType Runtime { get; }

    bool IsAlive { get; }

    string WorkingDirectory { get; }

    Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="request"/> once per input set in <paramref name="records"/>, each run
    /// isolated, one behind the other (a batch's chunk). A record that did not run (an earlier one was
    /// interrupted, or the worker died first) has a null result; the worker's death while a record ran
    /// is that record's failure.
    /// </summary>
    Task<IReadOnlyList<ExecutionResult?>> ExecuteManyAsync(ExecutionRequest request, IReadOnlyList<IReadOnlyList<InputValue>> records, CancellationToken cancellationToken);

    /// <summary>Interrupts the running execution, if any; the worker lives on.</summary>
    bool Interrupt();

    /// <summary>
    /// Whether a call made now would soon have its turn: the worker's last call took less than
    /// <paramref name="limit"/>, and the one running, if any, has not run longer (false before its first call).
    /// </summary>
    bool IsQuick(TimeSpan limit);

    /// <summary>The names of the workspace's objects (imported modules left out).</summary>
    Task<IReadOnlyList<string>> ListObjectsAsync(CancellationToken cancellationToken);

    /// <summary>One object in the runtime's own serialization (dill for Python, R's serialize()); a missing one is a 404.</summary>
    Task<byte[]> GetObjectAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets an object from its serialized bytes; bytes that do not load are a 400.</summary>
    Task SetObjectAsync(string name, byte[] data, CancellationToken cancellationToken);

    Task DeleteObjectAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes the whole workspace to a file outside the working directory.</summary>
    Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken);

    /// <summary>Merges a saved workspace into this one.</summary>
    Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="ForkAsync"/> makes copies of it (its runtime forks).</summary>
    bool CanFork { get; }

    /// <summary>
    /// A new worker that is a copy of this one as it is now (its workspace loaded, its memory shared
    /// until written), working in <paramref name="workingDirectory"/>, a new directory inside this one's.
    /// </summary>
    Task<IWorker> ForkAsync(string workingDirectory, CancellationToken cancellationToken);
}
