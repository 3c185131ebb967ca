using System.Text.Json;
using Dapper;
using Ferry.Core.Arm;
using Ferry.Storage.Database;

namespace Ferry.Storage.Arm;

internal sealed class WorkspaceStore(FerryDatabase database) : IWorkspaceStore
{
    private const string Select =
        "SELECT resource_group AS ResourceGroup, name AS Name, location AS Location, workspace_id AS WorkspaceId, friendly_name AS FriendlyName, " +
        "description AS Description, sku AS Sku, tags AS Tags, created_at AS CreatedAt, provisioning_state AS ProvisioningState FROM workspaces";

    public async Task<Workspace?> FindAsync(string resourceGroup, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE resource_group = @resourceGroup AND name = @name;", new { resourceGroup, name }, cancellationToken: cancellationToken));
        return row?.ToWorkspace();
    }

    public async Task<IReadOnlyList<Workspace>> ListAsync(string? resourceGroup, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE @resourceGroup IS NULL OR resource_group = @resourceGroup ORDER BY resource_group, name;", new { resourceGroup }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToWorkspace())];
    }

    public async Task<bool> UpsertAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM workspaces WHERE resource_group = @ResourceGroup AND name = @Name;", new { workspace.ResourceGroup, workspace.Name }, transaction, cancellationToken: cancellationToken)) > 0;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workspaces (resource_group, name, location, workspace_id, friendly_name, description, sku, tags, created_at, provisioning_state)
            VALUES (@ResourceGroup, @Name, @Location, @WorkspaceId, @FriendlyName, @Description, @Sku, @Tags, @CreatedAt, @ProvisioningState)
            ON CONFLICT (resource_group, name) DO UPDATE SET friendly_name = excluded.friendly_name, description = excluded.description,
                sku = excluded.sku, tags = excluded.tags, provisioning_state = excluded.provisioning_state;
            """,
            new
            {
                workspace.ResourceGroup, workspace.Name, workspace.Location, workspace.WorkspaceId, workspace.FriendlyName, workspace.Description, workspace.Sku,
                Tags = JsonSerializer.Serialize(workspace.Tags), CreatedAt = Timestamps.Format(workspace.CreatedAt), workspace.ProvisioningState,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return !exists;
    }

    public async Task<bool> DeleteAsync(string resourceGroup, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM workspaces WHERE resource_group = @resourceGroup AND name = @name;", new { resourceGroup, name }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed record Row(
        string ResourceGroup, string Name, string Location, string WorkspaceId, string FriendlyName, string Description, string Sku, string Tags, string CreatedAt, string ProvisioningState)
    {
        public Workspace ToWorkspace() => new(
            ResourceGroup, Name, Location, WorkspaceId, FriendlyName, Description, Sku,
            JsonSerializer.Deserialize<Dictionary<string, string>>(Tags) ?? [], Timestamps.Parse(CreatedAt), ProvisioningState);
    }
}
