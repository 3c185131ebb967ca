namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A model version's <c>properties</c>.</summary>
public sealed record ModelVersionProperties(
    string ModelUri,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, string> Properties);
