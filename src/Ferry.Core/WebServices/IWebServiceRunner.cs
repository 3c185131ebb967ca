using Ferry.Core.Sessions;

namespace Ferry.Core.WebServices;

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
