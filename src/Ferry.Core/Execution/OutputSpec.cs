namespace Ferry.Core.Execution;

/// <summary>An output to send back, converted by its declared type when one is given.</summary>
public sealed record OutputSpec(string Name, string? Type = null);
