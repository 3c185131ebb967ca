namespace Ferry.Execution.Pools;

/// <summary>Web service pools (section <c>Ferry:WebServices</c>).</summary>
public sealed class ServicePoolOptions
{
    public const string Section = "Ferry:WebServices";

    /// <summary>Where pool workers' working directories live; the server sets it under the data directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Workers prepared ahead of the first call, unless the service's pool says otherwise.</summary>
    public int InitialPoolSize { get; set; } = 1;

    /// <summary>Workers at most per service version, unless its pool says otherwise: one per core.</summary>
    public int MaxPoolSize { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Calls waiting for a busy pool at most; one more gets 503 at once.</summary>
    public int QueueLength { get; set; } = 256;

    /// <summary>How long a call waits for a worker before it gets 503 with Retry-After.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
