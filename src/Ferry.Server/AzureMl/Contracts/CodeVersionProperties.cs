namespace Ferry.Server.AzureMl.Contracts;

public sealed record CodeVersionProperties(string? Path, string? Description);
