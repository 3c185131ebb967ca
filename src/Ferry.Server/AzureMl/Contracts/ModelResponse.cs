namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A registered model on the model-management data plane.</summary>
public sealed record ModelResponse(
    string Id,
    string Name,
    int Version,
    string? Framework,
    string? FrameworkVersion,
    string Url,
    string MimeType,
    string? Description,
    DateTimeOffset CreatedTime,
    DateTimeOffset ModifiedTime,
    bool Unpack,
    string? RunId,
    IReadOnlyDictionary<string, string> KvTags,
    IReadOnlyDictionary<string, string> Properties);
