using System.Text.Json.Serialization;

namespace Ferry.Execution.Protocol;

/// <summary>The protocol's messages, serialized without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ExecuteMessage))]
[JsonSerializable(typeof(ExecuteManyMessage))]
[JsonSerializable(typeof(WorkerMessage))]
[JsonSerializable(typeof(WorkerReply))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
