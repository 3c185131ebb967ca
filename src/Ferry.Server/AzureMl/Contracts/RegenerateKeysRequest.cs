namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of <c>regenerateKeys</c>.</summary>
public sealed record RegenerateKeysRequest(string? KeyType, string? KeyValue);
