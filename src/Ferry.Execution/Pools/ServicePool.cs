using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Ferry.Execution.Pools;

/// <summary>
/// The dedicated pool of one web service version. A call takes the least busy worker: an idle one,
/// or, when every worker is busy and the service's calls are quick, one with fewer than
/// <see cref="ServicePoolOptions.PipelineDepth"/> calls (the call is written behind the running one,
/// so that the worker finds it ready instead of sleeping until the last reply has gone round the
/// server), while the pool starts one more worker if it is under its maximum. Otherwise a call
/// waits in a bounded queue, and past the queue's deadline gets 503; so does a call written behind
/// one that turned out slow, if its turn comes past that deadline (it does not run). A worker that died, or was prepared for an older revision, is
/// retired: it takes no new call and stops once its last call has ended.
/// A <paramref name="background"/> pool runs a version's batch chunks, apart from its single calls
/// (no worker serves both): it starts empty and grows to its maximum as chunks
/// come, a chunk waits for a worker as long as it takes (no queue deadline, no 503), no chunk is
/// written behind another, and its workers stop after <see cref="ServicePoolOptions.BackgroundIdleTimeout"/>
/// without one.
/// </summary>
internal sealed partial class ServicePool(
    ServiceDefinition service,
    bool background,
    ServicePoolOptions options,
    Func<ServiceDefinition, CancellationToken, Task<PreparedWorker>> prepare,
    WorkerBudget budget,
    TimeProvider time,
    ILogger logger,
    PoolMetrics metrics)
{
    private readonly object gate = new();
    private readonly string owner = service.Owner;
    private readonly PoolLedger ledger = new(budget, service.Owner);
    private readonly List<PreparedWorker> serving = [];
    private readonly LinkedList<Waiter> waiters = new();
    private ServiceDefinition service = service;
    private bool removed;
    private bool dormant; // shrunk to zero for want of calls; warms again on the next one
    private DateTimeOffset lastUsed = time.GetUtcNow();

    private int Initial => background ? 0 : service.Pool?.Initial ?? options.InitialPoolSize;

    private int Max => background ? options.MaxPoolSize : service.Pool?.Max ?? options.MaxPoolSize;

    private int Depth => background ? 1 : Math.Max(1, options.PipelineDepth);

    /// <summary>Whether it runs the version's batch chunks (see the class's summary).</summary>
    public bool Background => background;

    /// <summary>How long its workers are kept without a call.</summary>
    public TimeSpan IdleTimeout => background ? options.BackgroundIdleTimeout : options.IdleTimeout;

    /// <summary>The 9.3 pool status: only a pool sized through the pool API is a dedicated one.</summary>
    public string Status => Report().Status;

    /// <summary>The service version's tags on the pool's series, made once per pool.</summary>
    public KeyValuePair<string, object?>[] Tags { get; } = background
        ? [.. FerryMetrics.ServiceTags(service.Name, service.Version), new(PoolKindTag, "batch")]
        : FerryMetrics.ServiceTags(service.Name, service.Version);

    /// <summary>Tags a batch pool's series (a version's single-call pool has none).</summary>
    public const string PoolKindTag = "ferry.pool";

    /// <summary>Workers by state and calls waiting (retired workers still ending a call count as busy).</summary>
    public PoolLoad Load()
    {
        lock (gate)
        {
            var idle = serving.Count(w => w.Calls == 0);
            return new PoolLoad(ledger.Starting, idle, ledger.Ready - idle, waiters.Count);
        }
    }

    /// <summary>The pool at one moment, as a compute node reports it.</summary>
    public PoolReport Report()
    {
        lock (gate)
        {
            var idle = serving.Count(w => w.Calls == 0);
            return new PoolReport(
                service.Name, service.Version, service.Revision, service.Pool is null ? "NotFound" : dormant || ledger.Ready >= Initial ? "Success" : "Pending", idle, ledger.Ready - idle, waiters.Count);
        }
    }

    /// <summary>Who published the service: the budget's share it draws on.</summary>
    public string Owner => owner;

    /// <summary>When a call last asked for a worker.</summary>
    public DateTimeOffset LastUsed
    {
        get
        {
            lock (gate)
            {
                return lastUsed;
            }
        }
    }

    /// <summary>A worker for one call; a call written behind a running one must start by <c>StartBy</c> (a timestamp of the pool's clock).</summary>
    public readonly record struct Lease(PreparedWorker Worker, long? StartBy);

    /// <summary>A worker for one call.</summary>
    public async Task<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        ServiceDefinition definition;
        lock (gate)
        {
            definition = service;
            lastUsed = time.GetUtcNow();
            dormant = false;
            var least = LeastBusy();
            if (least is { Calls: 0 })
            {
                least.Calls++;
                return new Lease(least, null);
            }

            if (least is not null && least.Calls < Depth && least.Worker.IsQuick(options.PipelineCallTime))
            {
                least.Calls++;
                Grow(); // every worker is busy: one more, if the pool may have it
                return new Lease(least, Deadline());
            }

            if (ledger.TryReserve(Max))
            {
                waiter = null!;
                node = null!;
            }
            else if (ledger.Total == 0)
            {
                throw new WorkerBudgetExhaustedException(); // no worker of ours to wait for: the manager may evict an idle one elsewhere
            }
            else if (!background && waiters.Count >= options.QueueLength)
            {
                throw Busy();
            }
            else
            {
                waiter = new Waiter(background ? long.MaxValue : Deadline()); // a batch's chunk waits its turn
                node = waiters.AddLast(waiter);
            }
        }

        if (waiter is null)
        {
            return new Lease(Serve(await StartAsync(definition, cancellationToken)), null);
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
                node.List?.Remove(node);
            }

            // Handed a worker or a slot just as the wait ended: give it back.
            if (waiter.Task.IsCompletedSuccessfully)
            {
                if (await waiter.Task is { } worker)
                {
                    Release(worker, died: false);
                }
                else
                {
                    lock (gate)
                    {
                        ledger.StartFailed(); // the slot it was handed, unused
                        HandOverSlot();
                    }
                }
            }

            throw;
        }

        // A worker (perhaps behind a call it is running), or a free slot to start one in.
        return handed is null
            ? new Lease(Serve(await StartAsync(Current(), cancellationToken)), null)
            : new Lease(handed, waiter.Behind ? waiter.Deadline : null);
    }

    /// <summary>
    /// Ends a call on a worker. A worker that <paramref name="died"/> is retired at once (calls
    /// written behind this one fail as not started, and their callers run them elsewhere).
    /// </summary>
    public void Release(PreparedWorker worker, bool died)
    {
        lock (gate)
        {
            worker.Calls--;
            if (!worker.Retired && !removed && !died && worker.Worker.IsAlive && worker.Revision == service.Revision)
            {
                HandOver(worker);
                return;
            }

            if (!Retire(worker)) // already retired or not: it stops once its last call has ended
            {
                return;
            }
        }

        Fill();
    }

    /// <summary>
    /// Brings the pool to <paramref name="seen"/> when that is a later revision than its own: a batch
    /// pool made (by a chunk that read the older one) after the patch that changed the version.
    /// </summary>
    public void CatchUp(ServiceDefinition seen)
    {
        if (seen.Revision > Current().Revision)
        {
            Update(seen);
        }
    }

    /// <summary>A new revision or size: workers of older revisions take no new call and stop when their calls end.</summary>
    public void Update(ServiceDefinition changed)
    {
        lock (gate)
        {
            service = changed;
            foreach (var stale in serving.Where(w => w.Revision != changed.Revision).ToList())
            {
                Retire(stale);
            }

            while (ledger.Total > Max && serving.Find(w => w.Calls == 0) is { } extra)
            {
                Retire(extra);
            }

            HandOverSlot();
        }

        Fill();
    }

    /// <summary>The version is gone: idle workers stop, busy ones when their calls end, waiters get 404.</summary>
    public void Remove()
    {
        lock (gate)
        {
            removed = true;
            foreach (var worker in serving.ToList())
            {
                Retire(worker);
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

    /// <summary>Under the lock: the live worker with the fewest calls; dead idle ones found on the way are stopped.</summary>
    private PreparedWorker? LeastBusy()
    {
        PreparedWorker? least = null;
        for (var i = serving.Count - 1; i >= 0; i--)
        {
            var worker = serving[i];
            if (!worker.Worker.IsAlive)
            {
                if (worker.Calls == 0)
                {
                    Retire(worker);
                }

                continue;
            }

            if (least is null || worker.Calls < least.Calls)
            {
                least = worker;
            }
        }

        return least;
    }

    /// <summary>A worker this caller started: it serves the caller's call, then the pool.</summary>
    private PreparedWorker Serve(PreparedWorker worker)
    {
        lock (gate)
        {
            worker.Calls = 1;
            serving.Add(worker);
            if (removed || worker.Revision != service.Revision)
            {
                Retire(worker); // stops after this call
            }

            return worker;
        }
    }

    /// <summary>Under the lock: the worker takes no new call, and stops once it has none left (true when it stopped now).</summary>
    private bool Retire(PreparedWorker worker)
    {
        worker.Retired = true;
        serving.Remove(worker);
        return StopIfDone(worker);
    }

    /// <summary>Under the lock: a retired worker stops once it has no call left, or at once if it died.</summary>
    private bool StopIfDone(PreparedWorker worker)
    {
        if (worker.Stopped || (worker.Calls > 0 && worker.Worker.IsAlive))
        {
            return false;
        }

        worker.Stopped = true;
        if (!worker.Worker.IsAlive)
        {
            metrics.WorkerRestarted(Tags); // died (crashed, killed past a limit): counted once, when its slot is freed for a replacement
        }

        _ = worker.DisposeAsync().AsTask();
        ledger.Stopped();
        HandOverSlot();
        return true;
    }

    /// <summary>Starts workers in the background until the pool holds its initial size.</summary>
    private void Fill()
    {
        lock (gate)
        {
            if (!dormant && ledger.Total < Initial)
            {
                Grow();
            }
        }
    }

    /// <summary>Under the lock: starts one more worker in the background, if the pool may have it.</summary>
    private void Grow()
    {
        if (removed || !ledger.TryReserve(Max))
        {
            return; // at the pool's maximum, or the budget is in use: calls start workers as they need them
        }

        var definition = service;
        _ = Task.Run(async () =>
        {
            PreparedWorker worker;
            try
            {
                worker = await StartAsync(definition, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The next call reports why (initCode failing, say); no retry in a loop.
                LogGrowFailed(logger, ex, definition.Name, definition.Version);
                return;
            }

            lock (gate)
            {
                serving.Add(worker);
                if (removed || worker.Revision != service.Revision)
                {
                    Retire(worker);
                    return;
                }

                HandOver(worker);
            }

            Fill(); // one at a time up to the initial size
        });
    }

    private async Task<PreparedWorker> StartAsync(ServiceDefinition definition, CancellationToken cancellationToken)
    {
        try
        {
            var worker = await prepare(definition, cancellationToken);
            lock (gate)
            {
                ledger.Prepared();
            }

            return worker;
        }
        catch
        {
            lock (gate)
            {
                ledger.StartFailed();
                HandOverSlot();
            }

            throw;
        }
    }

    private ServiceDefinition Current()
    {
        lock (gate)
        {
            return service;
        }
    }

    /// <summary>
    /// Under the lock: waiters take the worker's free places, first come first served; a place behind
    /// a running call only while the worker's calls are quick (else the next waiter waits for any worker).
    /// </summary>
    private void HandOver(PreparedWorker worker)
    {
        while (waiters.First is { } first && (worker.Calls == 0 || (worker.Calls < Depth && worker.Worker.IsQuick(options.PipelineCallTime))))
        {
            waiters.RemoveFirst();
            first.Value.Behind = worker.Calls > 0;
            worker.Calls++;
            if (!first.Value.TrySetResult(worker))
            {
                worker.Calls--;
            }
        }
    }

    /// <summary>Under the lock: a freed slot goes to the first live waiter, who starts a worker in it.</summary>
    private void HandOverSlot()
    {
        while (!removed && waiters.First is { } first && ledger.TryReserve(Max))
        {
            first.List!.Remove(first);
            if (first.Value.TrySetResult(null))
            {
                return;
            }

            ledger.StartFailed();
        }
    }

    /// <summary>
    /// No call for <paramref name="idleTimeout"/>: idle workers stop and the pool stays empty (no
    /// refill) until the next call warms it; busy ones stop when their calls end. Returns how many stopped.
    /// </summary>
    public int ShrinkIfIdle(DateTimeOffset now, TimeSpan idleTimeout)
    {
        lock (gate)
        {
            if (removed || waiters.Count > 0 || now - lastUsed < idleTimeout || (dormant && serving.Count == 0))
            {
                return 0;
            }

            dormant = true;
            var idle = serving.Where(w => w.Calls == 0).ToList();
            foreach (var worker in idle)
            {
                Retire(worker);
            }

            return idle.Count;
        }
    }

    /// <summary>Stops one idle worker to free its budget unit for another pool; false when none is idle.</summary>
    public bool TryRetireIdle()
    {
        lock (gate)
        {
            if (serving.Find(w => w.Calls == 0) is not { } idle)
            {
                return false;
            }

            Retire(idle);
            return true;
        }
    }

    /// <summary>A call waiting for a worker, or for a slot to start one in (a null result).</summary>
    private sealed class Waiter(long deadline) : TaskCompletionSource<PreparedWorker?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Deadline { get; } = deadline;

        /// <summary>Handed a worker that is running another call: this one is written behind it.</summary>
        public bool Behind { get; set; }
    }

    private long Deadline() => time.GetTimestamp() + (long)(options.QueueTimeout.TotalSeconds * time.TimestampFrequency);

    private FerryException Busy() => new(
        FerryErrorKind.Unavailable,
        $"Every worker of '{service.Name}' version '{service.Version}' is busy and the queue is full or timed out; retry shortly.",
        TimeSpan.FromSeconds(1));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A worker for {Name} {Version} could not be prepared")]
    private static partial void LogGrowFailed(ILogger logger, Exception exception, string name, string version);
}
