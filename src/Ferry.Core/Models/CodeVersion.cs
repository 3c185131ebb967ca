namespace Ferry.Core.Models;

/// <summary>A code version: a name and version for uploaded artifacts (<c>path</c>, e.g. <c>LocalUpload/{container}</c>).</summary>
public sealed record CodeVersion(string ResourceGroup, string Workspace, string Name, string Version, string Path, string? Description, DateTimeOffset CreatedAt);
