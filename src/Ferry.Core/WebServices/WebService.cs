using Ferry.Core.Execution;

namespace Ferry.Core.WebServices;

/// <summary>
/// A published web service version: code and its snapshot's content, baked in at publish time.
/// <see cref="Revision"/> grows with every patch, so workers prepared for an older one are retired.
/// </summary>
public sealed record WebService(
    string Name,
    string Version,
    string PublishedBy,
    DateTimeOffset CreationTime,
    string? SnapshotId,
    RuntimeType Runtime,
    string InitCode,
    string Code,
    string Description,
    string? OperationId,
    IReadOnlyList<ParameterDefinition> Inputs,
    IReadOnlyList<ParameterDefinition> Outputs,
    IReadOnlyList<string> OutputFileNames,
    string? ContentHash,
    PoolSize? Pool,
    long Revision)
{
    /// <summary>ML Server's fixed I/O of a realtime service: one data.frame in, one out.</summary>
    public static readonly IReadOnlyList<ParameterDefinition> RealtimeInputs = [new("inputData", "data.frame")];

    /// <inheritdoc cref="RealtimeInputs"/>
    public static readonly IReadOnlyList<ParameterDefinition> RealtimeOutputs = [new("outputData", "data.frame")];

    /// <summary>A realtime service's batching, when its publisher set it (else the server's defaults).</summary>
    public RealtimeBatching? Batching { get; init; }

    public bool IsRealtime => Runtime == RuntimeType.Realtime;

    /// <summary>What its pool's workers are prepared with (not cached: <c>with</c> would copy a stale one).</summary>
    public ServiceDefinition Definition => new(
        Name, Version, PublishedBy, Runtime, IsRealtime ? new OnnxModelEntry(ContentHash!, Batching) : new CodeEntry(InitCode, Code), ContentHash, Pool, Revision, CreationTime);
}
