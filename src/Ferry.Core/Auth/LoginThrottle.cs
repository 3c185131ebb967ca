using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Auth;

/// <summary>
/// Slows password guessing: after too many failures for one user name within the window, further
/// attempts are refused until the oldest failure leaves it. Kept per web node, in memory.
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider time)
{
    private const int MaxTrackedNames = 10_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the caller must wait before trying this name again; null when it may try now.</summary>
    public TimeSpan? RetryAfter(string userName)
    {
        if (!failures.TryGetValue(userName, out var queue))
        {
            return null;
        }

        lock (queue)
        {
            var now = time.GetUtcNow();
            Prune(queue, now);
            return queue.Count >= options.Value.MaxFailedLogins
                ? queue.Peek() + options.Value.FailedLoginWindow - now
                : null;
        }
    }

    public void RecordFailure(string userName)
    {
        if (failures.Count > MaxTrackedNames)
        {
            Sweep();
        }

        var queue = failures.GetOrAdd(userName, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            var now = time.GetUtcNow();
            Prune(queue, now);
            queue.Enqueue(now);
        }
    }

    public void RecordSuccess(string userName) => failures.TryRemove(userName, out _);

    // Guessing many made-up names must not grow memory without bound: drop names whose failures aged out.
    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (name, queue) in failures)
        {
            lock (queue)
            {
                Prune(queue, now);
                if (queue.Count == 0)
                {
                    failures.TryRemove(name, out _);
                }
            }
        }
    }

    private void Prune(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + options.Value.FailedLoginWindow <= now)
        {
            queue.Dequeue();
        }
    }
}
