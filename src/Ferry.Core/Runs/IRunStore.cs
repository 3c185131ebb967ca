namespace Ferry.Core.Runs;

public interface IRunStore
{
    /// <summary>The experiment, created on first use.</summary>
    Task<Experiment> GetOrAddExperimentAsync(string resourceGroup, string workspace, string name, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    /// <summary>Adds a run numbered after the experiment's last.</summary>
    /// <summary>Adds the run, numbered in its experiment; null, adding nothing, when its submitter already has <paramref name="maxActiveOfSubmitter"/> runs not ended.</summary>
    Task<Run?> AddAsync(Run run, int maxActiveOfSubmitter, CancellationToken cancellationToken);

    Task<Run?> FindAsync(string runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Run>> ListAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>Runs in a status, oldest first (the scheduler's queue).</summary>
    Task<IReadOnlyList<Run>> ListByStatusAsync(string status, CancellationToken cancellationToken);

    /// <summary>Runs the user submitted that have not ended (queued, starting or running).</summary>
    Task<int> CountActiveAsync(string submittedBy, CancellationToken cancellationToken);

    /// <summary>
    /// Runs still preparing, running or finalizing whose node is gone (cut off by its crash or restart):
    /// on one node, all of them; among several, only those of nodes that no longer hold their presence lock.
    /// </summary>
    Task<IReadOnlyList<Run>> ListCutOffAsync(CancellationToken cancellationToken);

    /// <summary>Records that the run was asked to stop, for the node running it (see <see cref="ListCancelRequestedAsync"/>).</summary>
    Task RequestCancelAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The runs not ended that were asked to stop.</summary>
    Task<IReadOnlyList<string>> ListCancelRequestedAsync(CancellationToken cancellationToken);

    /// <summary>Moves a queued run to Preparing for the caller alone; false when it was no longer queued or another dispatcher has it.</summary>
    Task<bool> TryClaimAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Moves a run on unless it already ended; false when it had.</summary>
    Task<bool> SetStatusAsync(string runId, string status, DateTimeOffset now, string? failure, CancellationToken cancellationToken);
}
