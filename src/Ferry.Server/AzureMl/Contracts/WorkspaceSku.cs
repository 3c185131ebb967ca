namespace Ferry.Server.AzureMl.Contracts;

public sealed record WorkspaceSku(string? Name, string? Tier);
