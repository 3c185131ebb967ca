namespace Ferry.Core.Batches;

/// <summary>
/// Batch executions, their input records and each record's result once it is done. A batch belongs
/// to its service version: deleting the version deletes its batches in the same transaction.
/// </summary>
public interface IBatchStore
{
    /// <summary>The batch and all its records, in one transaction.</summary>
    Task AddAsync(BatchExecution batch, IReadOnlyList<string> records, CancellationToken cancellationToken);

    Task<BatchExecution?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>A version's batches, oldest first.</summary>
    Task<IReadOnlyList<BatchExecution>> ListAsync(string name, string version, CancellationToken cancellationToken);

    /// <summary>
    /// Takes for this node the unfinished batches (Pending, InProgress) that no live node runs, oldest
    /// first: at start-up, every one on SQLite; on PostgreSQL, those of nodes that are gone.
    /// </summary>
    Task<IReadOnlyList<BatchExecution>> ClaimUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>The records that have no result yet, in input order.</summary>
    Task<IReadOnlyList<BatchRecord>> PendingRecordsAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores results in one transaction; a record that has one already keeps it (and is not counted twice).</summary>
    Task SaveResultsAsync(string id, IReadOnlyList<BatchResult> results, CancellationToken cancellationToken);

    Task SetStateAsync(string id, BatchState state, string? reason, CancellationToken cancellationToken);

    /// <summary>The stored results, in input order (records without one are left out).</summary>
    Task<IReadOnlyList<BatchResult>> ResultsAsync(string id, CancellationToken cancellationToken);

    /// <summary>One record's result, or null when it has none yet (or there is no such record).</summary>
    Task<string?> ResultAsync(string id, int index, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
