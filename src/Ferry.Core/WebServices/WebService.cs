using Ferry.Core.Execution;

namespace Ferry.Core.WebServices;

/// <summary>A declared input or output: a name and an ML Server type (see <see cref="ParameterTypes"/>).</summary>
public sealed record ParameterDefinition(string Name, string Type);

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
    /// <summary>What its pool's workers are prepared with (not cached: <c>with</c> would copy a stale one).</summary>
    public ServiceDefinition Definition => new(Name, Version, PublishedBy, Runtime, new CodeEntry(InitCode, Code), ContentHash, Pool, Revision, CreationTime);
}

/// <summary>Web service rows; publish, patch and delete are each one transaction.</summary>
public interface IWebServiceStore
{
    /// <summary>Every version, in publishing order.</summary>
    Task<IReadOnlyList<WebService>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a version; false when the name and version exist. Takes a reference on its content.</summary>
    Task<bool> TryAddAsync(WebService service, CancellationToken cancellationToken);

    /// <summary>Replaces a version's definition, moving the content reference when it changed.</summary>
    Task UpdateAsync(WebService service, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, string version, CancellationToken cancellationToken);
}
