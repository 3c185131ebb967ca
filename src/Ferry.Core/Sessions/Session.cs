namespace Ferry.Core.Sessions;

/// <summary>
/// A live remote session: its worker, working directory and history. Sessions live in memory with
/// their interpreter; a server restart ends them.
/// </summary>
public sealed class Session(string id, string name, string owner, RuntimeType runtime, string workingDirectory, IInterpreterWorker worker, DateTimeOffset createdAt)
{
    private readonly List<string> history = [];

    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Owner { get; } = owner;

    public RuntimeType Runtime { get; } = runtime;

    public string WorkingDirectory { get; } = workingDirectory;

    public IInterpreterWorker Worker { get; } = worker;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>The console output of the current or last execution.</summary>
    public string ConsoleOutput { get; internal set; } = "";

    /// <summary>Executions on one session run one after the other.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    public IReadOnlyList<string> History
    {
        get
        {
            lock (history)
            {
                return [.. history];
            }
        }
    }

    internal void Record(string code)
    {
        lock (history)
        {
            history.Add(code);
        }
    }
}
