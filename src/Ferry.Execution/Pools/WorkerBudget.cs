namespace Ferry.Execution.Pools;

/// <summary>
/// The server's budget of resident pool workers and each publisher's share of it: a pool takes a
/// unit before it starts a worker and gives it back when the worker stops. Only counters under one
/// lock; pools call it under their own lock and it never calls back, so no lock order can invert.
/// </summary>
internal sealed class WorkerBudget(int total, int perOwner)
{
    private readonly object gate = new();
    private readonly Dictionary<string, int> byOwner = new(StringComparer.OrdinalIgnoreCase);
    private int used;

    public int Total => total;

    public int PerOwner => perOwner;

    public int Used
    {
        get
        {
            lock (gate)
            {
                return used;
            }
        }
    }

    public bool TryTake(string owner)
    {
        lock (gate)
        {
            var mine = byOwner.GetValueOrDefault(owner);
            if (used >= total || mine >= perOwner)
            {
                return false;
            }

            used++;
            byOwner[owner] = mine + 1;
            return true;
        }
    }

    public void Return(string owner)
    {
        lock (gate)
        {
            used--;
            if (byOwner.TryGetValue(owner, out var mine) && mine > 1)
            {
                byOwner[owner] = mine - 1;
            }
            else
            {
                byOwner.Remove(owner);
            }
        }
    }

    /// <summary>True when <paramref name="owner"/>'s share, not the server's total, is what stops them.</summary>
    public bool AtShare(string owner)
    {
        lock (gate)
        {
            return byOwner.GetValueOrDefault(owner) >= perOwner;
        }
    }
}

/// <summary>A pool needs a worker and has none to wait for, but the budget has no unit free.</summary>
internal sealed class WorkerBudgetExhaustedException() : Exception("The worker budget is in use.");
