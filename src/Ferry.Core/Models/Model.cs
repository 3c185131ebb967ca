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

public interface IModelStore
{
    /// <summary>Adds the model as the next version of its name (the store numbers it, in one transaction).</summary>
    Task<Model> AddAsync(Model model, CancellationToken cancellationToken);

    Task<Model?> FindAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken);

    Task<IReadOnlyList<Model>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken);

    Task UpdateAsync(Model model, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken);
}
