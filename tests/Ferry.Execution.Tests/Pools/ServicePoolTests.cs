using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Diagnostics;
using Ferry.Execution.Pools;
using Ferry.Execution.Tests.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Execution.Tests.Pools;

/// <summary>
/// The pool's bookkeeping with fake workers and a fake clock: slots are reserved, become ready and
/// are freed exactly once, whatever happens (a failed preparation, a death, a new revision, a queue
/// deadline, an idle timeout), and the worker budget gets every unit back.
/// </summary>
public sealed class ServicePoolTests
{
    private readonly FakeTimeProvider clock = new();
    private readonly WorkerBudget budget = new(4, 4);
    private readonly List<FakeWorker> started = [];
    private Func<ServiceDefinition, Task>? beforePrepare;

    [Fact]
    public async Task Refresh_WarmsTheInitialSize_StatusGoesFromPendingToSuccess()
    {
        var pool = Pool(Definition(new PoolSize(2, 3)));
        Assert.Equal("Pending", pool.Status);
        pool.Update(Definition(new PoolSize(2, 3)));
        await WaitAsync(() => started.Count == 2 && pool.Status == "Success");
        Assert.Equal(2, budget.Used);
    }

    [Fact]
    public async Task Saturated_CallsQueue_FullQueueIs503_QueueDeadlineIs503_UnitsComeBack()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), new ServicePoolOptions { QueueLength = 1, QueueTimeout = TimeSpan.FromSeconds(2) });
        var first = await pool.AcquireAsync(CancellationToken.None);
        var waiting = pool.AcquireAsync(CancellationToken.None); // queued behind the only worker
        Assert.False(waiting.IsCompleted);
        var full = await Assert.ThrowsAsync<FerryException>(() => pool.AcquireAsync(CancellationToken.None));
        Assert.Equal(FerryErrorKind.Unavailable, full.Kind);

        pool.ExpireWaiters(clock.GetTimestamp()); // not yet due
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(3));
        pool.ExpireWaiters(clock.GetTimestamp());
        Assert.Equal(FerryErrorKind.Unavailable, (await Assert.ThrowsAsync<FerryException>(() => waiting)).Kind);

        pool.Release(first.Worker, died: false);
        Assert.Equal(1, budget.Used); // the worker stays, its unit with it
        pool.Remove();
        await WaitAsync(() => budget.Used == 0 && started.All(w => w.Disposed));
    }

    [Fact]
    public async Task AWaitingCall_GetsTheWorkerWhenItIsReleased()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var first = await pool.AcquireAsync(CancellationToken.None);
        var waiting = pool.AcquireAsync(CancellationToken.None);
        pool.Release(first.Worker, died: false);
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(first.Worker, second.Worker);
        Assert.Single(started);
    }

    [Fact]
    public async Task FailedPreparation_FreesItsSlot_TheNextCallTriesAgain()
    {
        var failures = 1;
        beforePrepare = _ => Interlocked.Decrement(ref failures) >= 0 ? throw new PreparationFailedException("initCode failed") : Task.CompletedTask;
        var pool = Pool(Definition(new PoolSize(1, 1)));
        await Assert.ThrowsAsync<PreparationFailedException>(() => pool.AcquireAsync(CancellationToken.None));
        Assert.Equal(0, budget.Used);

        var lease = await pool.AcquireAsync(CancellationToken.None);
        Assert.Single(started);
        pool.Release(lease.Worker, died: false);
    }

    [Fact]
    public async Task DeadWorker_IsRetiredAndReplaced_ItsUnitReturned()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var lease = await pool.AcquireAsync(CancellationToken.None);
        started[0].Die();
        pool.Release(lease.Worker, died: true);
        await WaitAsync(() => started.Count == 2); // refilled to the initial size
        Assert.True(started[0].Disposed);
        Assert.Equal(1, budget.Used);

        var next = await pool.AcquireAsync(CancellationToken.None);
        Assert.NotSame(lease.Worker, next.Worker);
    }

    [Fact]
    public async Task NewRevision_RetiresOldWorkersWhenTheirCallsEnd()
    {
        var pool = Pool(Definition(new PoolSize(1, 2)));
        var old = await pool.AcquireAsync(CancellationToken.None);
        pool.Update(Definition(new PoolSize(1, 2), revision: 2));
        Assert.False(started[0].Disposed); // busy: it finishes its call first

        var fresh = await pool.AcquireAsync(CancellationToken.None);
        Assert.Equal(2, fresh.Worker.Revision);
        pool.Release(old.Worker, died: false);
        await WaitAsync(() => started[0].Disposed);
        pool.Release(fresh.Worker, died: false);
        Assert.Equal(1, budget.Used);
    }

    [Fact]
    public async Task IdleTimeout_StopsIdleWorkers_UntilTheNextCall()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var lease = await pool.AcquireAsync(CancellationToken.None);
        pool.Release(lease.Worker, died: false);

        Assert.Equal(0, pool.ShrinkIfIdle(clock.GetUtcNow(), TimeSpan.FromMinutes(10)));
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, pool.ShrinkIfIdle(clock.GetUtcNow(), TimeSpan.FromMinutes(10)));
        await WaitAsync(() => started[0].Disposed && budget.Used == 0);
        Assert.Equal("Success", pool.Status); // dormant, not failing

        var again = await pool.AcquireAsync(CancellationToken.None);
        Assert.Equal(2, started.Count);
        pool.Release(again.Worker, died: false);
    }

    [Fact]
    public async Task Budget_InUseElsewhere_AnEmptyPoolSaysSo()
    {
        var other = budget;
        for (var i = 0; i < 4; i++)
        {
            Assert.True(other.TryTake("someone"));
        }

        var pool = Pool(Definition(new PoolSize(1, 1)));
        await Assert.ThrowsAsync<WorkerBudgetExhaustedException>(() => pool.AcquireAsync(CancellationToken.None));
        Assert.Empty(started);
    }

    [Fact]
    public async Task Background_NeverGoesBehindARunningCall_ButInteractiveDoes()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var running = await pool.AcquireAsync(CancellationToken.None);
        ((FakeWorker)running.Worker.Worker).Quick = true;

        var background = pool.AcquireAsync(background: true, CancellationToken.None);
        Assert.False(background.IsCompleted); // would have been written behind the running call, were it interactive
        var interactive = await pool.AcquireAsync(CancellationToken.None);
        Assert.Same(running.Worker, interactive.Worker);
        Assert.NotNull(interactive.StartBy);

        pool.Release(running.Worker, died: false);
        Assert.False(background.IsCompleted); // the worker still runs the interactive call
        pool.Release(interactive.Worker, died: false);
        var lease = await background.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(lease.StartBy);
        pool.Release(lease.Worker, died: false, background: true);
    }

    [Fact]
    public async Task Background_WaitsBehindEveryInteractiveWaiter_AndHasNoQueueDeadline()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), new ServicePoolOptions { QueueTimeout = TimeSpan.FromSeconds(2) });
        var first = await pool.AcquireAsync(background: true, CancellationToken.None);
        var interactive = pool.AcquireAsync(CancellationToken.None);
        var background = pool.AcquireAsync(background: true, CancellationToken.None); // not behind the chunk: an interactive call waits
        Assert.False(background.IsCompleted);
        Assert.False(interactive.IsCompleted);

        pool.Release(first.Worker, died: false, background: true);
        var served = await interactive.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(background.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(10));
        pool.ExpireWaiters(clock.GetTimestamp());
        Assert.False(background.IsCompleted); // a batch record waits its turn instead of failing with 503

        pool.Release(served.Worker, died: false);
        var lease = await background.WaitAsync(TimeSpan.FromSeconds(5));
        pool.Release(lease.Worker, died: false, background: true);
        Assert.Equal(1, budget.Used);
    }

    [Fact]
    public async Task Background_LeavesInteractiveCallsAWorker_InAPoolOfTwoOrMore()
    {
        var pool = Pool(Definition(new PoolSize(1, 2)));
        var call = await pool.AcquireAsync(CancellationToken.None); // interactive traffic: the reserve holds (the fake clock stands still)
        pool.Release(call.Worker, died: false);
        var batch = await pool.AcquireAsync(background: true, CancellationToken.None); // the only worker: a second starts for interactive calls
        await WaitAsync(() => started.Count == 2);
        await WaitAsync(() => pool.Status == "Success");
        ((FakeWorker)batch.Worker.Worker).Quick = true; // its chunks are quick: the next is written behind

        var second = await pool.AcquireAsync(background: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(batch.Worker, second.Worker); // behind the first chunk, not on the idle worker
        var third = pool.AcquireAsync(background: true, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted); // the idle worker is the interactive calls'
        var interactive = await pool.AcquireAsync(CancellationToken.None);
        Assert.NotSame(batch.Worker, interactive.Worker);
        Assert.Null(interactive.StartBy); // not written behind the batch's chunks

        pool.Release(interactive.Worker, died: false);
        pool.Release(batch.Worker, died: false, background: true);
        Assert.False(third.IsCompleted); // its worker still runs the second chunk
        pool.Release(second.Worker, died: false, background: true); // one idle besides: the waiting chunk takes this one
        var lease = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(batch.Worker, lease.Worker);

        clock.Advance(TimeSpan.FromSeconds(2)); // no interactive call for a while: background may have both
        var fourth = await pool.AcquireAsync(background: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotSame(lease.Worker, fourth.Worker); // the idle worker first
        var fifth = await pool.AcquireAsync(background: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(batch.Worker, fifth.Worker); // then behind a quick running chunk
        pool.Release(fifth.Worker, died: false, background: true);
        pool.Release(fourth.Worker, died: false, background: true);
        pool.Release(lease.Worker, died: false, background: true);
        Assert.Equal(2, budget.Used);
    }

    [Fact]
    public async Task BackgroundChunk_WaitsBehindAnotherChunk_NeverBehindAnInteractiveCall_NorAnInteractiveBehindIt()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var chunk = await pool.AcquireAsync(background: true, CancellationToken.None);
        ((FakeWorker)chunk.Worker.Worker).Quick = true;
        var behind = await pool.AcquireAsync(background: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(chunk.Worker, behind.Worker); // written behind it: the worker finds it waiting
        Assert.Null(behind.StartBy);

        var interactive = pool.AcquireAsync(CancellationToken.None);
        Assert.False(interactive.IsCompleted); // never written behind background chunks
        var third = pool.AcquireAsync(background: true, CancellationToken.None);
        pool.Release(chunk.Worker, died: false, background: true);
        Assert.False(interactive.IsCompleted); // the worker still runs the second chunk
        pool.Release(behind.Worker, died: false, background: true);
        var served = await interactive.WaitAsync(TimeSpan.FromSeconds(5)); // first, before the waiting chunk
        Assert.False(third.IsCompleted);
        pool.Release(served.Worker, died: false);
        var last = await third.WaitAsync(TimeSpan.FromSeconds(5));
        pool.Release(last.Worker, died: false, background: true);
        Assert.Equal(0, chunk.Worker.BackgroundCalls);
    }

    [Fact]
    public async Task BackgroundWaiter_GetsAWorkerOnceInteractiveCallsStop_WithoutARelease()
    {
        var pool = Pool(Definition(new PoolSize(1, 2)));
        var interactive = await pool.AcquireAsync(CancellationToken.None); // a long interactive call
        var background = pool.AcquireAsync(background: true, CancellationToken.None);
        pool.ExpireWaiters(clock.GetTimestamp());
        Assert.False(background.IsCompleted); // the last slot is the interactive calls' while they come

        clock.Advance(TimeSpan.FromSeconds(2)); // they stopped coming: the sweep lets the batch start a worker
        pool.ExpireWaiters(clock.GetTimestamp());
        var lease = await background.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotSame(interactive.Worker, lease.Worker);
        pool.Release(lease.Worker, died: false, background: true);
        pool.Release(interactive.Worker, died: false);
        Assert.Equal(2, budget.Used);
    }

    [Fact]
    public async Task Background_Cancelled_LeavesTheQueue_RemovedPoolFailsIt()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)));
        var first = await pool.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = pool.AcquireAsync(background: true, cancel.Token);
        var waiting = pool.AcquireAsync(background: true, CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        pool.Remove();
        Assert.Equal(FerryErrorKind.NotFound, (await Assert.ThrowsAsync<FerryException>(() => waiting)).Kind);
        pool.Release(first.Worker, died: false);
        await WaitAsync(() => budget.Used == 0);
    }

    private ServicePool Pool(ServiceDefinition definition, ServicePoolOptions? options = null) =>
        new(definition, options ?? new ServicePoolOptions(), PrepareAsync, budget, clock, NullLogger.Instance, new PoolMetrics(new TestMeterFactory()));

    private async Task<PreparedWorker> PrepareAsync(ServiceDefinition definition, CancellationToken cancellationToken)
    {
        if (beforePrepare is not null)
        {
            await beforePrepare(definition);
        }

        var worker = new FakeWorker();
        lock (started)
        {
            started.Add(worker);
        }

        return new PreparedWorker(worker, definition.Revision, Path.Combine(Path.GetTempPath(), "ferry-fake-" + Guid.NewGuid().ToString("N")));
    }

    private static ServiceDefinition Definition(PoolSize size, long revision = 1) =>
        new("svc", "1.0", "alice", RuntimeType.Python, new CodeEntry("", "y = x"), null, size, revision, DateTimeOffset.UnixEpoch);

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
