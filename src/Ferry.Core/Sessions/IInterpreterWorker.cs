using System.Text.Json.Nodes;

namespace Ferry.Core.Sessions;

/// <summary>
/// One interpreter process that runs code in its working directory (Ferry.Execution implements it).
/// A dead worker throws <see cref="WorkerDiedException"/>; a request it cannot serve throws a
/// <see cref="Errors.FerryException"/> naming the problem.
/// </summary>
public interface IInterpreterWorker : IAsyncDisposable
{
    bool IsAlive { get; }

    string WorkingDirectory { get; }

    Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken);

    /// <summary>Interrupts the running execution, if any; the worker lives on.</summary>
    bool Interrupt();

    /// <summary>
    /// Whether a call made now would soon have its turn: the worker's last call took less than
    /// <paramref name="limit"/>, and the one running, if any, has not run longer (false before its first call).
    /// </summary>
    bool IsQuick(TimeSpan limit);

    /// <summary>The names of the workspace's objects (imported modules left out).</summary>
    Task<IReadOnlyList<string>> ListObjectsAsync(CancellationToken cancellationToken);

    /// <summary>One object serialized (dill for Python); a missing one is a 404.</summary>
    Task<byte[]> GetObjectAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets an object from its serialized bytes; bytes that do not load are a 400.</summary>
    Task SetObjectAsync(string name, byte[] data, CancellationToken cancellationToken);

    Task DeleteObjectAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes the whole workspace to a file outside the working directory.</summary>
    Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken);

    /// <summary>Merges a saved workspace into this one.</summary>
    Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken);
}

/// <summary>Starts interpreter workers for a runtime in a working directory.</summary>
public interface IWorkerFactory
{
    Task<IInterpreterWorker> StartAsync(RuntimeType runtime, string workingDirectory, CancellationToken cancellationToken);
}

/// <summary>The contract's runtimeType.</summary>
public enum RuntimeType
{
    R,
    Python,
}

/// <summary>Shorthands for callers that bind plain JSON inputs and read plain outputs.</summary>
public static class InterpreterWorkerExtensions
{
    public static Task<ExecutionResult> ExecuteAsync(
        this IInterpreterWorker worker,
        string code,
        IReadOnlyList<(string Name, JsonNode? Value)> inputs,
        IReadOnlyList<string> outputs,
        CancellationToken cancellationToken) =>
        worker.ExecuteAsync(
            new ExecutionRequest(code, [.. inputs.Select(i => new InputValue(i.Name, i.Value))], [.. outputs.Select(o => new OutputSpec(o))]),
            cancellationToken);
}
