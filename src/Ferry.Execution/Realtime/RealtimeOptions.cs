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
}
