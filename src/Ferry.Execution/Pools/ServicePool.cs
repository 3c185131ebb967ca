using System.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.WebServices;

namespace Ferry.Execution.Pools;

/// <summary>
/// The dedicated pool of one web service version. A call borrows an idle worker, or starts one while
/// the pool is under its maximum, or waits in a bounded queue; past the queue's deadline it gets 503.
/// A worker returned broken, or prepared for an older revision, is replaced rather than reused.
/// </summary>
internal sealed class ServicePool(WebService service, ServicePoolOptions options, Func<WebService, CancellationToken, Task<PreparedWorker>> prepare)
{
    private readonly object gate = new();
    private readonly Stack<PreparedWorker> idle = new();
    private readonly LinkedList<Waiter> waiters = new();
    private WebService service = service;
    private int total;
    private int ready;
    private bool removed;

    private int Initial => service.Pool?.Initial ?? options.InitialPoolSize;

    private int Max => service.Pool?.Max ?? options.MaxPoolSize;

    /// <summary>The 9.3 pool status: only a pool sized through the pool API is a dedicated one.</summary>
    public string Status
    {
        get
        {
            lock (gate)
            {
                return service.Pool is null ? "NotFound" : ready >= Initial ? "Success" : "Pending";
            }
        }
    }

    public async Task<PreparedWorker> AcquireAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        WebService definition;
        lock (gate)
        {
            definition = service;
            while (idle.TryPop(out var worker))
            {
                if (worker.Worker.IsAlive)
                {
                    return worker;
                }

                Drop(worker);
                total--;
                ready--;
            }

            if (total < Max)
            {
                total++;
                waiter = null!;
                node = null!;
            }
            else if (waiters.Count >= options.QueueLength)
            {
                throw Busy();
            }
            else
            {
                waiter = new Waiter(Stopwatch.GetTimestamp() + (long)(options.QueueTimeout.TotalSeconds * Stopwatch.Frequency));
                node = waiters.AddLast(waiter);
            }
        }

        if (waiter is null)
        {
            return await StartAsync(definition, cancellationToken);
        }

        // No timer per waiting call: the manager's sweep fails waiters past their deadline (ExpireWaiters).
        PreparedWorker? handed;
        try
        {
            handed = await waiter.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (gate)
            {
                if (node.List is not null)
                {
                    waiters.Remove(node);
                }
            }

            // Handed a worker or a slot just as the wait ended: give it back.
            if (waiter.Task.IsCompletedSuccessfully)
            {
                if (await waiter.Task is { } worker)
                {
                    Release(worker, healthy: true);
                }
                else
                {
                    lock (gate)
                    {
                        total--;
                        HandOverSlot();
                    }
                }
            }

            throw;
        }

        // A worker, or a free slot to start one in.
        return handed ?? await StartAsync(Current(), cancellationToken);
    }

    /// <summary>Gives a worker back after a call; <paramref name="healthy"/> false retires it.</summary>
    public void Release(PreparedWorker worker, bool healthy)
    {
        lock (gate)
        {
            if (!removed && healthy && worker.Worker.IsAlive && worker.Revision == service.Revision)
            {
                if (!HandOver(worker))
                {
                    idle.Push(worker);
                }

                return;
            }

            Drop(worker);
            total--;
            ready--;
            HandOverSlot();
        }

        Fill();
    }

    /// <summary>A new revision or size: idle workers of older revisions go now, busy ones when returned.</summary>
    public void Update(WebService changed)
    {
        lock (gate)
        {
            service = changed;
            var keep = idle.Where(w => w.Revision == changed.Revision).ToList();
            foreach (var stale in idle.Where(w => w.Revision != changed.Revision))
            {
                Drop(stale);
                total--;
                ready--;
            }

            idle.Clear();
            foreach (var worker in Enumerable.Reverse(keep))
            {
                idle.Push(worker);
            }

            while (total > Max && idle.TryPop(out var extra))
            {
                Drop(extra);
                total--;
                ready--;
            }

            HandOverSlot();
        }

        Fill();
    }

    /// <summary>The version is gone: idle workers stop, busy ones when returned, waiters get 404.</summary>
    public void Remove()
    {
        lock (gate)
        {
            removed = true;
            while (idle.TryPop(out var worker))
            {
                Drop(worker);
            }

            foreach (var waiter in waiters)
            {
                waiter.TrySetException(FerryException.NotFound($"The web service '{service.Name}' version '{service.Version}' was deleted."));
            }

            waiters.Clear();
        }
    }

    /// <summary>Fails the calls that have waited past the queue's deadline with 503 (oldest first in the queue).</summary>
    public void ExpireWaiters(long now)
    {
        lock (gate)
        {
            while (waiters.First is { } first && first.Value.Deadline <= now)
            {
                waiters.RemoveFirst();
                first.Value.TrySetException(Busy());
            }
        }
    }

    /// <summary>Starts workers in the background until the pool holds its initial size.</summary>
    private void Fill()
    {
        WebService definition;
        lock (gate)
        {
            if (removed || total >= Initial || total >= Max)
            {
                return;
            }

            total++;
            definition = service;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                Release(await StartAsync(definition, CancellationToken.None), healthy: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The next call reports why (initCode failing, say); do not retry in a loop.
            }
        });
    }

    private async Task<PreparedWorker> StartAsync(WebService definition, CancellationToken cancellationToken)
    {
        try
        {
            var worker = await prepare(definition, cancellationToken);
            lock (gate)
            {
                ready++;
            }

            return worker;
        }
        catch
        {
            lock (gate)
            {
                total--;
                HandOverSlot();
            }

            throw;
        }
    }

    private WebService Current()
    {
        lock (gate)
        {
            return service;
        }
    }

    /// <summary>Under the lock: the first live waiter takes the worker.</summary>
    private bool HandOver(PreparedWorker worker)
    {
        while (waiters.First is { } first)
        {
            waiters.RemoveFirst();
            if (first.Value.TrySetResult(worker))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Under the lock: a freed slot goes to the first live waiter, who starts a worker in it.</summary>
    private void HandOverSlot()
    {
        while (!removed && total < Max && waiters.First is { } first)
        {
            waiters.RemoveFirst();
            total++;
            if (first.Value.TrySetResult(null))
            {
                return;
            }

            total--;
        }
    }

    private static void Drop(PreparedWorker worker) => _ = worker.DisposeAsync().AsTask();

    /// <summary>A call waiting for a worker, or for a slot to start one in (a null result).</summary>
    private sealed class Waiter(long deadline) : TaskCompletionSource<PreparedWorker?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Deadline { get; } = deadline;
    }

    private FerryException Busy() => new(
        FerryErrorKind.Unavailable,
        $"Every worker of '{service.Name}' version '{service.Version}' is busy and the queue is full or timed out; retry shortly.",
        TimeSpan.FromSeconds(1));
}
