using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The <c>status</c> of a long-running ARM operation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OperationStatus>))]
public enum OperationStatus
{
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}
