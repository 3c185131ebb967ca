using Ferry.Server.ComputeNodes.Internal;

namespace Ferry.Server.ComputeNodes;

/// <summary>A compute node as a web node sees it: its address, its last health answer, and the calls this web node has on it now.</summary>
internal sealed class ComputeNode(Uri address)
{
    private int inFlight;

    public Uri Address { get; } = address;

    /// <summary>Its last health answer; null until it first answers, and again once it stops answering.</summary>
    public NodeReport? Report { get; private set; }

    public bool IsUp => Report is not null;

    public int InFlight => Volatile.Read(ref inFlight);

    public void Answered(NodeReport report) => Report = report;

    public void Down() => Report = null;

    /// <summary>Whether it holds a worker of the version's single-call pool (warm or busy).</summary>
    public bool IsWarmFor(string name, string version) =>
        Report?.Pools.Any(p => p.Idle + p.Busy > 0 && p.Name == name && p.Version == version) == true;

    /// <summary>Counts a call on the node until the scope is disposed.</summary>
    public CallScope BeginCall()
    {
        Interlocked.Increment(ref inFlight);
        return new CallScope(this);
    }

    public readonly struct CallScope(ComputeNode node) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref node.inFlight);
    }
}
