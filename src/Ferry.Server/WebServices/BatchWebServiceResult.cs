using System.Text.Json.Nodes;

namespace Ferry.Server.WebServices;

/// <summary>
/// A batch's status (per-service swagger's BatchWebServiceResult): <c>pending</c>, <c>inProgress</c>,
/// <c>complete</c> or <c>failed</c>, and one WebServiceResult per record in input order (null for a
/// record not yet run when partial results are asked for).
/// </summary>
public sealed record BatchWebServiceResult(
    string State,
    int CompletedItemCount,
    int TotalItemCount,
    int ParallelCount,
    IReadOnlyList<JsonNode?> BatchExecutionResults,
    string? ErrorMessage);
