namespace Ferry.Core.Batches;

/// <summary>
/// One asynchronous batch of a web service version: who started it, how many records it holds and
/// how many have their result stored, and at most how many of them run at once.
/// </summary>
public sealed record BatchExecution(
    string Id,
    string Name,
    string Version,
    string Owner,
    int ParallelCount,
    int TotalItemCount,
    int CompletedItemCount,
    BatchState State,
    DateTimeOffset CreatedAt,
    string? Error);
