namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An artifact's address.</summary>
public sealed record ArtifactResponse(string ArtifactId, string Origin, string Container, string Path);
