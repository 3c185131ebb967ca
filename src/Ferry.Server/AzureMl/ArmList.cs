namespace Ferry.Server.AzureMl;

/// <summary>ARM's list envelope.</summary>
public sealed record ArmList<T>(IReadOnlyList<T> Value);
