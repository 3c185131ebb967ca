using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>When an mfe resource was created and (for models) last changed.</summary>
public sealed record SystemData(DateTimeOffset CreatedAt, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? LastModifiedAt = null);
