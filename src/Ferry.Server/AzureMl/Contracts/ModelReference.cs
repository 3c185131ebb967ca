namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The model a deployment serves.</summary>
public sealed record ModelReference(string? ReferenceType, string? AssetId);
