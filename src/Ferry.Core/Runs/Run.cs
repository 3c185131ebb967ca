namespace Ferry.Core.Runs;

/// <summary>An experiment: a named series of runs in a workspace.</summary>
public sealed record Experiment(string ExperimentId, string ResourceGroup, string Workspace, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// One run of a script on a compute target. Its status moves NotStarted, Queued, Preparing,
/// Running, Finalizing, then ends Completed, Failed or Canceled.
/// </summary>
public sealed record Run(
    string RunId,
    Experiment Experiment,
    int RunNumber,
    string Status,
    string Target,
    string Script,
    IReadOnlyList<string> Arguments,
    string Definition,
    int? MaxDurationSeconds,
    string Directory,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Error,
    string? SubmittedBy = null)
{
    public bool IsTerminal => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Canceled;
}

/// <summary>The run states as Azure ML names them (Canceled with one l).</summary>
public static class RunStatus
{
    public const string NotStarted = "NotStarted";
    public const string Queued = "Queued";
    public const string Preparing = "Preparing";
    public const string Running = "Running";
    public const string Finalizing = "Finalizing";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Canceled = "Canceled";
}

public interface IRunStore
{
    /// <summary>The experiment, created on first use.</summary>
    Task<Experiment> GetOrAddExperimentAsync(string resourceGroup, string workspace, string name, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    /// <summary>Adds a run numbered after the experiment's last.</summary>
    Task<Run> AddAsync(Run run, CancellationToken cancellationToken);

    Task<Run?> FindAsync(string runId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Run>> ListAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>Runs in a status, oldest first (the scheduler's queue).</summary>
    Task<IReadOnlyList<Run>> ListByStatusAsync(string status, CancellationToken cancellationToken);

    /// <summary>Moves a run on unless it already ended; false when it had.</summary>
    /// <summary>Runs the user submitted that have not ended (queued, starting or running).</summary>
    Task<int> CountActiveAsync(string submittedBy, CancellationToken cancellationToken);

    Task<bool> SetStatusAsync(string runId, string status, DateTimeOffset now, string? failure, CancellationToken cancellationToken);
}
