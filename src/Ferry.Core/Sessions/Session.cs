using Ferry.Core.Execution;

namespace Ferry.Core.Sessions;

/// <summary>
/// A live remote session: its worker, working directory and history. Sessions live in memory with
/// their interpreter; a server restart ends them.
/// </summary>
public sealed class Session(string id, string name, string owner, RuntimeType runtime, IWorker worker, DateTimeOffset createdAt)
{
    /// <summary>
    /// The most characters of code a session's history keeps (about 8 MB): past it the oldest executions go, and one
    /// execution longer than all of it keeps its beginning. Without a bound, executes of 20 MB each grew the server by that much each.
    /// </summary>
    public const int MaxHistoryChars = 4 * 1024 * 1024;

    private readonly LinkedList<string> history = [];
    private long historyChars;
    private long lastActivityTicks = createdAt.UtcTicks;
    private int calls;

    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Owner { get; } = owner;

    public RuntimeType Runtime { get; } = runtime;

    public string WorkingDirectory => Worker.WorkingDirectory;

    public IWorker Worker { get; } = worker;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>The console output of the current or last execution.</summary>
    public string ConsoleOutput { get; internal set; } = "";

    /// <summary>When a call last reached this session.</summary>
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref lastActivityTicks), TimeSpan.Zero);

    /// <summary>A call is running on the session now (an idle check leaves it alone).</summary>
    public bool InUse => Volatile.Read(ref calls) > 0;

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
        if (code.Length > MaxHistoryChars)
        {
            var note = $"\n# ... {code.Length - MaxHistoryChars} more characters of this execution are not kept in the history";
            code = string.Concat(code.AsSpan(0, MaxHistoryChars - note.Length), note);
        }

        lock (history)
        {
            history.AddLast(code);
            historyChars += code.Length;
            while (historyChars > MaxHistoryChars)
            {
                historyChars -= history.First!.Value.Length;
                history.RemoveFirst();
            }
        }
    }

    internal void Touch(DateTimeOffset now) => Interlocked.Exchange(ref lastActivityTicks, now.UtcTicks);

    /// <summary>Marks a call in progress until the returned scope is disposed.</summary>
    internal CallScope BeginCall(TimeProvider time)
    {
        Touch(time.GetUtcNow());
        Interlocked.Increment(ref calls);
        return new CallScope(this, time);
    }

    /// <summary>A call on the session: idle time counts from its end.</summary>
    internal readonly struct CallScope(Session session, TimeProvider time) : IDisposable
    {
        public void Dispose()
        {
            session.Touch(time.GetUtcNow());
            Interlocked.Decrement(ref session.calls);
        }
    }
}
