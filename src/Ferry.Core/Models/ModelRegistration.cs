namespace Ferry.Core.Models;

/// <summary>What a registration sends (model management's <c>Model</c>); name, url and mimeType are required.</summary>
public sealed record ModelRegistration(
    string? Name, string? Url, string? MimeType, string? Framework, string? FrameworkVersion, string? Description,
    IReadOnlyDictionary<string, string>? KvTags, IReadOnlyDictionary<string, string>? Properties, string? RunId);
