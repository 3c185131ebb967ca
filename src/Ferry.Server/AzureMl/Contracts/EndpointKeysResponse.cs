namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The answer to <c>listKeys</c>.</summary>
public sealed record EndpointKeysResponse(string PrimaryKey, string SecondaryKey);
