using Ferry.Core.Execution;

namespace Ferry.Execution.Tests.Pools;

/// <summary>A worker without a process: each call waits until the test lets it finish; it can die on cue.</summary>
internal sealed class FakeWorker : IWorker
{
    private readonly List<TaskCompletionSource<ExecutionResult>> running = [];

    public RuntimeType Runtime => RuntimeType.Python;

    public bool IsAlive { get; private set; } = true;

    public bool Disposed { get; private set; }

    public string WorkingDirectory => "";

    /// <summary>Calls started and not finished.</summary>
    public int Running
    {
        get
        {
            lock (running)
            {
                return running.Count;
            }
        }
    }

    public Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var call = new TaskCompletionSource<ExecutionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (running)
        {
            running.Add(call);
        }

        return call.Task;
    }

    public Task<IReadOnlyList<ExecutionResult?>> ExecuteManyAsync(ExecutionRequest request, IReadOnlyList<IReadOnlyList<InputValue>> records, CancellationToken cancellationToken) =>
        this.ExecuteEachAsync(request, records, cancellationToken);

    /// <summary>Finishes the oldest running call.</summary>
    public void FinishOne()
    {
        TaskCompletionSource<ExecutionResult> call;
        lock (running)
        {
            call = running[0];
            running.RemoveAt(0);
        }

        call.SetResult(new ExecutionResult(true, "", "", [], []));
    }

    public void Die() => IsAlive = false;

    public bool Interrupt() => false;

    /// <summary>Whether its calls count as quick, so that interactive calls may be written behind a running one.</summary>
    public bool Quick { get; set; }

    public bool IsQuick(TimeSpan limit) => Quick;

    public Task<IReadOnlyList<string>> ListObjectsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    public Task<byte[]> GetObjectAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Array.Empty<byte>());

    public Task SetObjectAsync(string name, byte[] data, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteObjectAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SaveWorkspaceAsync(string path, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LoadWorkspaceAsync(string path, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool CanFork => false;

    public Task<IWorker> ForkAsync(string workingDirectory, CancellationToken cancellationToken) => throw new NotSupportedException("A fake worker has no process to fork.");

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        IsAlive = false;
        return ValueTask.CompletedTask;
    }
}
