namespace Ferry.Server.AzureMl.Contracts;

public sealed record WorkspaceRequestProperties(string? FriendlyName, string? Description);
