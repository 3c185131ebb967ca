using System.Text.Json;
using Dapper;
using Ferry.Core.Models;
using Ferry.Storage.Database;

namespace Ferry.Storage.Models;

internal sealed class ModelStore(FerryDatabase database) : IModelStore
{
    private const string Select =
        """
        SELECT resource_group AS ResourceGroup, workspace AS Workspace, name AS Name, version AS Version, url AS Url, mime_type AS MimeType,
               framework AS Framework, framework_version AS FrameworkVersion, description AS Description, kv_tags AS KvTags, properties AS Properties,
               run_id AS RunId, created_at AS CreatedAt, modified_at AS ModifiedAt
        FROM models
        """;

    public async Task<Model> AddAsync(Model model, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM models WHERE resource_group = @ResourceGroup AND workspace = @Workspace AND name = @Name;",
            new { model.ResourceGroup, model.Workspace, model.Name }, transaction, cancellationToken: cancellationToken));
        var numbered = model with { Version = version };
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO models (resource_group, workspace, name, version, url, mime_type, framework, framework_version, description, kv_tags, properties, run_id, created_at, modified_at)
            VALUES (@ResourceGroup, @Workspace, @Name, @Version, @Url, @MimeType, @Framework, @FrameworkVersion, @Description, @KvTags, @Properties, @RunId, @CreatedAt, @ModifiedAt);
            """,
            Parameters(numbered), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return numbered;
    }

    public async Task<Model?> FindAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name AND version = @version;",
            new { resourceGroup, workspace, name, version }, cancellationToken: cancellationToken));
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<Model>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE resource_group = @resourceGroup AND workspace = @workspace ORDER BY name, version;", new { resourceGroup, workspace }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task UpdateAsync(Model model, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE models SET description = @Description, kv_tags = @KvTags, modified_at = @ModifiedAt
            WHERE resource_group = @ResourceGroup AND workspace = @Workspace AND name = @Name AND version = @Version;
            """,
            Parameters(model), cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(string resourceGroup, string workspace, string name, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM models WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name AND version = @version;",
            new { resourceGroup, workspace, name, version }, cancellationToken: cancellationToken)) > 0;
    }

    private static object Parameters(Model m) => new
    {
        m.ResourceGroup, m.Workspace, m.Name, m.Version, m.Url, m.MimeType, m.Framework, m.FrameworkVersion, m.Description,
        KvTags = JsonSerializer.Serialize(m.KvTags), Properties = JsonSerializer.Serialize(m.Properties), m.RunId,
        CreatedAt = Timestamps.Format(m.CreatedAt), ModifiedAt = Timestamps.Format(m.ModifiedAt),
    };

    private sealed class Row
    {
        public string ResourceGroup { get; init; } = "";

        public string Workspace { get; init; } = "";

        public string Name { get; init; } = "";

        public long Version { get; init; }

        public string Url { get; init; } = "";

        public string MimeType { get; init; } = "";

        public string? Framework { get; init; }

        public string? FrameworkVersion { get; init; }

        public string? Description { get; init; }

        public string KvTags { get; init; } = "{}";

        public string Properties { get; init; } = "{}";

        public string? RunId { get; init; }

        public string CreatedAt { get; init; } = "";

        public string ModifiedAt { get; init; } = "";

        public Model ToModel() => new(
            ResourceGroup, Workspace, Name, (int)Version, Url, MimeType, Framework, FrameworkVersion, Description,
            JsonSerializer.Deserialize<Dictionary<string, string>>(KvTags) ?? [], JsonSerializer.Deserialize<Dictionary<string, string>>(Properties) ?? [],
            RunId, Timestamps.Parse(CreatedAt), Timestamps.Parse(ModifiedAt));
    }
}
