using Dapper;
using Ferry.Core.Models;
using Ferry.Storage.Database;

namespace Ferry.Storage.Models;

internal sealed class CodeVersionStore(FerryDatabase database) : ICodeVersionStore
{
    public async Task<CodeVersion?> FindAsync(string resourceGroup, string workspace, string name, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT resource_group AS ResourceGroup, workspace AS Workspace, name AS Name, version AS Version, path AS Path, description AS Description, created_at AS CreatedAt
            FROM code_versions WHERE resource_group = @resourceGroup AND workspace = @workspace AND name = @name AND version = @version;
            """,
            new { resourceGroup, workspace, name, version },
            cancellationToken: cancellationToken));
        return row is null ? null : new CodeVersion(row.ResourceGroup, row.Workspace, row.Name, row.Version, row.Path, row.Description, Timestamps.Parse(row.CreatedAt));
    }

    public async Task<bool> UpsertAsync(CodeVersion code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM code_versions WHERE resource_group = @ResourceGroup AND workspace = @Workspace AND name = @Name AND version = @Version;",
            new { code.ResourceGroup, code.Workspace, code.Name, code.Version }, transaction, cancellationToken: cancellationToken)) > 0;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO code_versions (resource_group, workspace, name, version, path, description, created_at)
            VALUES (@ResourceGroup, @Workspace, @Name, @Version, @Path, @Description, @CreatedAt)
            ON CONFLICT (resource_group, workspace, name, version) DO UPDATE SET path = excluded.path, description = excluded.description;
            """,
            new { code.ResourceGroup, code.Workspace, code.Name, code.Version, code.Path, code.Description, CreatedAt = Timestamps.Format(code.CreatedAt) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return !exists;
    }

    private sealed record Row(string ResourceGroup, string Workspace, string Name, string Version, string Path, string? Description, string CreatedAt);
}
