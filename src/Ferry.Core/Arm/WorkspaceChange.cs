namespace Ferry.Core.Arm;

/// <summary>What a PUT or PATCH of a workspace sends; on PATCH, what is null stays.</summary>
public sealed record WorkspaceChange(string? Location, string? FriendlyName, string? Description, string? Sku, IReadOnlyDictionary<string, string>? Tags);
