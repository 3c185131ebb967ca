namespace Ferry.Core.Models;

/// <summary>A registered model version; its id is <c>name:version</c>.</summary>
public sealed record Model(
    string ResourceGroup,
    string Workspace,
    string Name,
    int Version,
    string Url,
    string MimeType,
    string? Framework,
    string? FrameworkVersion,
    string? Description,
    IReadOnlyDictionary<string, string> KvTags,
    IReadOnlyDictionary<string, string> Properties,
    string? RunId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt)
{
    public string Id => $"{Name}:{Version}";
}
