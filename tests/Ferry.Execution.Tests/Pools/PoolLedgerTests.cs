using Ferry.Execution.Pools;

namespace Ferry.Execution.Tests.Pools;

/// <summary>The slot ledger on its own: the maximum, the budget, and bookkeeping that cannot go negative.</summary>
public sealed class PoolLedgerTests
{
    [Fact]
    public void Slots_AreReservedWithinTheMaximumAndTheBudget_AndFreedOnce()
    {
        var budget = new WorkerBudget(3, 2);
        var ledger = new PoolLedger(budget, "alice");
        Assert.True(ledger.TryReserve(max: 5));
        Assert.True(ledger.TryReserve(max: 5));
        Assert.False(ledger.TryReserve(max: 5)); // alice's share of the budget
        Assert.Equal(2, ledger.Starting);

        ledger.Prepared();
        ledger.StartFailed();
        Assert.Equal((0, 1, 1), (ledger.Starting, ledger.Ready, ledger.Total));
        Assert.Equal(1, budget.Used);
        Assert.False(ledger.TryReserve(max: 1)); // the pool's own maximum

        ledger.Stopped();
        Assert.Equal((0, 0), (ledger.Total, budget.Used));
        Assert.Throws<InvalidOperationException>(ledger.Stopped);
        Assert.Throws<InvalidOperationException>(ledger.Prepared);
        Assert.Equal(0, budget.Used);
    }
}
