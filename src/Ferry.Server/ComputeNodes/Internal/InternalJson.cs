using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Server.ComputeNodes.Internal;

/// <summary>The internal API's serializer, generated at build time: it is on every call a web node sends a compute node.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunCallRequest))]
[JsonSerializable(typeof(RunManyRequest))]
[JsonSerializable(typeof(RunManyResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(RemoveRequest))]
[JsonSerializable(typeof(WireResult))]
[JsonSerializable(typeof(NodeReport))]
internal sealed partial class InternalJson : JsonSerializerContext;
