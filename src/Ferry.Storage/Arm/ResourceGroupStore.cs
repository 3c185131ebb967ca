using System.Text.Json;
using Dapper;
using Ferry.Core.Arm;
using Ferry.Storage.Database;

namespace Ferry.Storage.Arm;

internal sealed class ResourceGroupStore(FerryDatabase database) : IResourceGroupStore
{
    private const string Select = "SELECT subscription_id AS SubscriptionId, name AS Name, location AS Location, tags AS Tags, created_at AS CreatedAt FROM resource_groups";

    public async Task<ResourceGroup?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"{Select} WHERE name = @name;", new { name }, cancellationToken: cancellationToken));
        return row?.ToGroup();
    }

    public async Task<IReadOnlyList<ResourceGroup>> ListAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE subscription_id = @subscriptionId COLLATE NOCASE ORDER BY name;", new { subscriptionId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToGroup())];
    }

    public async Task<bool> UpsertAsync(ResourceGroup group, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM resource_groups WHERE name = @Name;", new { group.Name }, transaction, cancellationToken: cancellationToken)) > 0;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO resource_groups (subscription_id, name, location, tags, created_at) VALUES (@SubscriptionId, @Name, @Location, @Tags, @CreatedAt)
            ON CONFLICT (name) DO UPDATE SET tags = excluded.tags;
            """,
            new { group.SubscriptionId, group.Name, group.Location, Tags = JsonSerializer.Serialize(group.Tags), CreatedAt = Timestamps.Format(group.CreatedAt) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return !exists;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM resource_groups WHERE name = @name;", new { name }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed record Row(string SubscriptionId, string Name, string Location, string Tags, string CreatedAt)
    {
        public ResourceGroup ToGroup() =>
            new(SubscriptionId, Name, Location, JsonSerializer.Deserialize<Dictionary<string, string>>(Tags) ?? [], Timestamps.Parse(CreatedAt));
    }
}
