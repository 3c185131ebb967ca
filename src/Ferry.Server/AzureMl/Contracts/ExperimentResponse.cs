namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An experiment in the history service's shape.</summary>
public sealed record ExperimentResponse(
    string ExperimentId,
    string Name,
    string? Description,
    DateTimeOffset CreatedUtc,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset? ArchivedTime);
