namespace Ferry.Server.AzureMl;

public sealed record WorkspaceRequestProperties(string? FriendlyName, string? Description);
