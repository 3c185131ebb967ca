using Ferry.Core.Sessions;

namespace Ferry.Core.WebServices;

/// <summary>A declared input or output: a name and an ML Server type (see <see cref="ParameterTypes"/>).</summary>
public sealed record ParameterDefinition(string Name, string Type);

/// <summary>A dedicated pool's size as set through the 9.3 pool API.</summary>
public sealed record PoolSize(int Initial, int Max);

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
    long Revision);

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

/// <summary>The pools that run web services (Ferry.Execution implements it).</summary>
public interface IWebServiceRunner
{
    /// <summary>Runs one call on a worker prepared for <paramref name="service"/>; a saturated pool throws a 503.</summary>
    Task<ExecutionResult> RunAsync(WebService service, ExecutionRequest request, CancellationToken cancellationToken);

    /// <summary>A new or changed definition: workers of older revisions are retired, the initial size is warmed.</summary>
    void Refresh(WebService service);

    /// <summary>The version is gone: idle workers stop now, busy ones when their call ends.</summary>
    void Remove(string name, string version);

    /// <summary>The 9.3 pool status: <c>Success</c>, <c>Pending</c> or <c>NotFound</c>.</summary>
    string PoolStatus(WebService service);

    /// <summary>The largest MaxPoolSize a version's pool may be given (its publisher's share of the server's workers).</summary>
    int MaxWorkersPerService { get; }
}
