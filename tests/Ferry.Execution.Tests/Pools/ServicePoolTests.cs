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
    public async Task CatchUp_ToALaterRevision_RetiresTheOlderWorkers_AnEarlierOneChangesNothing()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), background: true);
        var old = await pool.AcquireAsync(CancellationToken.None);
        pool.Release(old.Worker, died: false);
        pool.CatchUp(Definition(new PoolSize(1, 1), revision: 0));
        Assert.False(old.Worker.Retired);
        pool.CatchUp(Definition(new PoolSize(1, 1), revision: 2)); // a batch pool made after a patch it did not see
        Assert.True(old.Worker.Retired);
        var fresh = await pool.AcquireAsync(CancellationToken.None);
        Assert.Equal(2, fresh.Worker.Revision);
        pool.Release(fresh.Worker, died: false);
    }

    [Fact]
    public async Task BatchPool_StartsEmpty_GrowsToItsMaximum_IgnoringTheServicesPoolSize()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), new ServicePoolOptions { MaxPoolSize = 2 }, background: true);
        pool.Update(Definition(new PoolSize(1, 1)));
        await Task.Delay(50);
        Assert.Empty(started); // no worker before a chunk comes
        var first = await pool.AcquireAsync(CancellationToken.None);
        var second = await pool.AcquireAsync(CancellationToken.None); // the service's pool is of one: its batches' is not
        Assert.NotSame(first.Worker, second.Worker);
        Assert.Equal(2, budget.Used); // drawn on the same budget as the single calls' workers
        Assert.Contains(pool.Tags, t => t.Key == ServicePool.PoolKindTag && (string?)t.Value == "batch");
        pool.Release(first.Worker, died: false);
        pool.Release(second.Worker, died: false);
    }

    [Fact]
    public async Task BatchPool_NeverWritesAChunkBehindAnother_ItsChunksWaitWithoutADeadlineOrAQueueLimit()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), new ServicePoolOptions { MaxPoolSize = 1, QueueLength = 1, QueueTimeout = TimeSpan.FromSeconds(2) }, background: true);
        var running = await pool.AcquireAsync(CancellationToken.None);
        ((FakeWorker)running.Worker.Worker).Quick = true;
        var waiting = pool.AcquireAsync(CancellationToken.None);
        var more = pool.AcquireAsync(CancellationToken.None); // past the queue's length: waits all the same
        Assert.False(waiting.IsCompleted); // a single call here would have been written behind the quick one
        Assert.False(more.IsCompleted);

        clock.Advance(TimeSpan.FromMinutes(5));
        pool.ExpireWaiters(clock.GetTimestamp());
        Assert.False(waiting.IsCompleted); // a chunk waits its turn instead of failing with 503

        pool.Release(running.Worker, died: false);
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(next.StartBy);
        pool.Release(next.Worker, died: false);
        pool.Release((await more.WaitAsync(TimeSpan.FromSeconds(5))).Worker, died: false);
        Assert.Equal(1, budget.Used);
    }

    [Fact]
    public async Task BatchPool_StopsItsWorkersAfterItsOwnIdleTimeout()
    {
        var options = new ServicePoolOptions { BackgroundIdleTimeout = TimeSpan.FromMinutes(1), IdleTimeout = TimeSpan.FromHours(1) };
        var pool = Pool(Definition(new PoolSize(1, 1)), options, background: true);
        Assert.Equal(TimeSpan.FromMinutes(1), pool.IdleTimeout);
        var lease = await pool.AcquireAsync(CancellationToken.None);
        pool.Release(lease.Worker, died: false);
        Assert.Equal(0, pool.ShrinkIfIdle(clock.GetUtcNow(), pool.IdleTimeout));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, pool.ShrinkIfIdle(clock.GetUtcNow(), pool.IdleTimeout));
        await WaitAsync(() => budget.Used == 0 && started.All(w => w.Disposed));
        Assert.Equal(TimeSpan.FromHours(1), Pool(Definition(new PoolSize(1, 1)), options).IdleTimeout); // a single calls' pool keeps its own
    }

    [Fact]
    public async Task BatchPool_CancelledChunk_LeavesTheQueue_RemovedPoolFailsTheRest()
    {
        var pool = Pool(Definition(new PoolSize(1, 1)), new ServicePoolOptions { MaxPoolSize = 1 }, background: true);
        var first = await pool.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = pool.AcquireAsync(cancel.Token);
        var waiting = pool.AcquireAsync(CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        pool.Remove();
        Assert.Equal(FerryErrorKind.NotFound, (await Assert.ThrowsAsync<FerryException>(() => waiting)).Kind);
        pool.Release(first.Worker, died: false);
        await WaitAsync(() => budget.Used == 0);
    }

    private ServicePool Pool(ServiceDefinition definition, ServicePoolOptions? options = null, bool background = false) =>
        new(definition, background, options ?? new ServicePoolOptions(), PrepareAsync, budget, clock, NullLogger.Instance, new PoolMetrics(new TestMeterFactory()));

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
