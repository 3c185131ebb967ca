namespace Ferry.Core.Batches;

/// <summary>Asynchronous batch consumption (section <c>Ferry:Batch</c>).</summary>
public sealed class BatchOptions
{
    public const string Section = "Ferry:Batch";

    /// <summary>Records one batch may hold at most; more is a 413 naming the limit.</summary>
    public int MaxRecords { get; set; } = 100_000;

    /// <summary>
    /// The largest <c>parallelCount</c> a batch may ask for (ML Server's <c>MaxNumberOfThreadsPerBatchExecution</c>);
    /// the service's pool size caps it further, since each running record holds a worker.
    /// </summary>
    public int MaxParallelCount { get; set; } = 100;

    /// <summary>The <c>parallelCount</c> of a batch that names none (ML Server's default).</summary>
    public int DefaultParallelCount { get; set; } = 10;
}
