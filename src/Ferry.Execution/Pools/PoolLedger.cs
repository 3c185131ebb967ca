namespace Ferry.Execution.Pools;

/// <summary>
/// A pool's worker slots, in one place: a slot is reserved (within the pool's maximum and the
/// server's worker budget) before a worker starts, becomes ready when the worker is prepared, and is
/// freed exactly once, when the start fails or the worker stops. Not thread-safe: the pool holds its lock.
/// </summary>
internal sealed class PoolLedger(WorkerBudget budget, string owner)
{
    /// <summary>Workers starting or being prepared.</summary>
    public int Starting { get; private set; }

    /// <summary>Workers prepared and not yet stopped (retired ones included until they stop).</summary>
    public int Ready { get; private set; }

    /// <summary>Every slot in use: the pool's size against its maximum.</summary>
    public int Total => Starting + Ready;

    /// <summary>Room for one more worker, in <paramref name="max"/> and in the budget; the slot is then starting.</summary>
    public bool TryReserve(int max)
    {
        if (Total >= max || !budget.TryTake(owner))
        {
            return false;
        }

        Starting++;
        return true;
    }

    /// <summary>A starting worker is prepared.</summary>
    public void Prepared()
    {
        Check(Starting > 0, "prepared a worker that was not starting");
        Starting--;
        Ready++;
    }

    /// <summary>A start failed: its slot is free again.</summary>
    public void StartFailed()
    {
        Check(Starting > 0, "failed a start that was not reserved");
        Starting--;
        budget.Return(owner);
    }

    /// <summary>A prepared worker stopped: its slot is free again.</summary>
    public void Stopped()
    {
        Check(Ready > 0, "stopped a worker that was not ready");
        Ready--;
        budget.Return(owner);
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Pool bookkeeping broke: {what}.");
        }
    }
}
