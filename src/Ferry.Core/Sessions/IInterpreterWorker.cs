using System.Text.Json.Nodes;

namespace Ferry.Core.Sessions;

/// <summary>One interpreter process that runs code for a session (Ferry.Execution implements it).</summary>
public interface IInterpreterWorker : IAsyncDisposable
{
    bool IsAlive { get; }

    /// <summary>Runs code with inputs bound as variables; a dead worker throws <see cref="WorkerDiedException"/>.</summary>
    Task<ExecutionResult> ExecuteAsync(
        string code, IReadOnlyList<(string Name, JsonNode? Value)> inputs, IReadOnlyList<string> outputs, CancellationToken cancellationToken);

    /// <summary>Interrupts the running execution, if any; the worker lives on.</summary>
    bool Interrupt();
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
