namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A code version's <c>properties</c>.</summary>
public sealed record CodeVersionResponseProperties(string Path, string? Description, string? DatastoreId);
