namespace Ferry.Server.AzureMl;

public sealed record WorkspaceSku(string? Name, string? Tier);
