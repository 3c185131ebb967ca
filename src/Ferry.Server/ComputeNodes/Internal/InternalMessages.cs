using Ferry.Core.Execution;
using Ferry.Execution.Pools;

namespace Ferry.Server.ComputeNodes.Internal;

/// <summary><c>POST /internal/v1/services/run</c>: one call of a service.</summary>
internal sealed record RunCallRequest(WireService Service, ServiceCall Call);

/// <summary><c>POST /internal/v1/services/run-many</c>: a batch's chunk, on the version's batch workers.</summary>
internal sealed record RunManyRequest(WireService Service, IReadOnlyList<ServiceCall> Calls);

/// <summary>A chunk's results in order; null for a call that did not run.</summary>
internal sealed record RunManyResponse(IReadOnlyList<WireResult?> Results);

/// <summary><c>POST /internal/v1/services/refresh</c>: warm a new or changed definition's pool.</summary>
internal sealed record RefreshRequest(WireService Service);

/// <summary><c>POST /internal/v1/services/remove</c>: a version is gone.</summary>
internal sealed record RemoveRequest(string Name, string Version);

/// <summary><c>GET /internal/v1/node</c>: a compute node's health answer, read by web nodes every few seconds.</summary>
/// <param name="Instance">The node process (new at every start).</param>
/// <param name="Url">The address it advertises.</param>
/// <param name="Sessions">Sessions open on it.</param>
/// <param name="Pools">Its single-call pools.</param>
/// <param name="Runtimes">Each runtime it knows, with why it cannot run it (null when it can).</param>
internal sealed record NodeReport(string Instance, string Url, int Sessions, IReadOnlyList<PoolReport> Pools, IReadOnlyDictionary<RuntimeType, string?> Runtimes);
