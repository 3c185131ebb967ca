namespace Ferry.Core.Runs;

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
