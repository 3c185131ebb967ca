namespace Ferry.Core.Runs;

/// <summary>An experiment: a named series of runs in a workspace.</summary>
public sealed record Experiment(string ExperimentId, string ResourceGroup, string Workspace, string Name, DateTimeOffset CreatedAt);
