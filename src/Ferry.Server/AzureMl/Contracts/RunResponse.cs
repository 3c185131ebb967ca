using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A run in the history service's shape; <c>error</c> only when it failed or was canceled, <c>logFiles</c> only in its details.</summary>
public sealed record RunResponse(
    string RunId,
    int RunNumber,
    string RootRunId,
    string ExperimentId,
    RunState Status,
    string RunType,
    string Target,
    string ScriptName,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? StartTimeUtc,
    DateTimeOffset? EndTimeUtc,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyDictionary<string, string> Tags,
    JsonNode? RunDefinition,
    IReadOnlyDictionary<string, JsonNode?> Metrics,
    IReadOnlyDictionary<string, IReadOnlyList<JsonNode?>> MetricHistory,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RunErrorResponse? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? LogFiles = null);
