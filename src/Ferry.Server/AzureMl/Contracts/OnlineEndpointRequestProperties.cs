using System.Text.Json;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The settable <c>properties</c> of an online endpoint; traffic shares are checked as whole numbers by the handler.</summary>
public sealed record OnlineEndpointRequestProperties(string? AuthMode, string? Description, Dictionary<string, JsonElement>? Traffic);
