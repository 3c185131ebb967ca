namespace Ferry.Server.AzureMl;

public sealed record CodeVersionProperties(string? Path, string? Description);
