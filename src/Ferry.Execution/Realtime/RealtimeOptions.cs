namespace Ferry.Execution.Realtime;

/// <summary>Realtime (native ONNX) scoring: <c>Ferry:Realtime</c>. A service's own batching overrides the batch bounds.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Ferry:Realtime";

    /// <summary>The most calls one model run takes (a service may set its own).</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>How long a call waits for others to join its batch; zero (the default): only calls already waiting join, so a lone call never waits.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>ONNX Runtime's threads per run. One: batches already spread the work, and a second thread per run costs more than it saves on small models.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>How long one model run may take before ONNX Runtime is told to stop it; its calls answer <c>success:false</c>.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most values (cells) one run's outputs may hold; a model answering more fails the run's calls with <c>success:false</c>.</summary>
    public long MaxOutputValues { get; set; } = 4_000_000;

    /// <summary>
    /// The memory all realtime models share for their runs (one ONNX Runtime arena per process, set by the first model loaded;
    /// at most 4 GiB). A run that needs more fails with <c>success:false</c> instead of growing the server.
    /// </summary>
    public long MaxMemoryBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// The most bytes of strings one run may copy from the model's labels, categories and mapped values (rows × what a row
    /// may get; their characters are not held to <see cref="MaxMemoryBytes"/>). A call alone over it is a 400 naming how
    /// many rows the model takes; calls join a batch while it holds.
    /// </summary>
    public long MaxStringBytes { get; set; } = 256L * 1024 * 1024;
}
