using System.Text.Json;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A deployment's requested scale; the instance count is checked as a whole number by the handler.</summary>
public sealed record ScaleSettingsRequest(JsonElement? InstanceCount);
