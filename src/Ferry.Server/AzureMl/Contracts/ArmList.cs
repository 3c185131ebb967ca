namespace Ferry.Server.AzureMl.Contracts;

/// <summary>ARM's list envelope.</summary>
public sealed record ArmList<T>(IReadOnlyList<T> Value);
