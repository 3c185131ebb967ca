using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The <c>Azure-AsyncOperation</c> resource of a long-running operation; <c>error</c> only when it failed.</summary>
public sealed record OperationStatusResponse(
    string Id,
    string Name,
    OperationStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OperationError? Error);
