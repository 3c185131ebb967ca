using Ferry.Core.Runs;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// A web node's <see cref="IRunDispatcher"/>: runs execute on compute nodes, whose dispatchers claim
/// queued runs from the shared database (looking at the queue every second) and stop a run canceled
/// anywhere by its change notice. Here a run is only accepted while some compute node is up.
/// </summary>
internal sealed class ComputeRunDispatcher(ComputeNodeDirectory nodes) : IRunDispatcher
{
    public void Wake()
    {
        // Nothing runs here: a compute node claims the run on its next look at the queue.
    }

    public bool Cancel(string runId) => false; // never running here

    public Task EnsureCanRunAsync() => nodes.Up.Count > 0 ? Task.CompletedTask : throw ComputeNodeDirectory.NoneUp();
}
