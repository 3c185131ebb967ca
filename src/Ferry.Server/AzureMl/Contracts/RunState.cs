using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A run's <c>status</c> as Azure ML names it (Canceled with one l).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    NotStarted,
    Queued,
    Preparing,
    Running,
    Finalizing,
    Completed,
    Failed,
    Canceled,
}
