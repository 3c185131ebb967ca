namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The code a deployment runs: a code version and its scoring script.</summary>
public sealed record CodeConfiguration(string? CodeId, string? ScoringScript);
