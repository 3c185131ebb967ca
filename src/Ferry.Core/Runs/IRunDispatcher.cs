namespace Ferry.Core.Runs;

/// <summary>Starts, cancels and stops runs (Ferry.Execution implements it).</summary>
public interface IRunDispatcher
{
    /// <summary>A run was queued: look at the queue now.</summary>
    void Wake();

    /// <summary>Stops a running run; false when it is not running here.</summary>
    bool Cancel(string runId);

    /// <summary>Throws a 503 naming the cause and the fix while no user code can run here (no sandbox).</summary>
    Task EnsureCanRunAsync();
}
