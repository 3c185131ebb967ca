using Ferry.Core.Execution;
using Dapper;
using Ferry.Core.Snapshots;
using Ferry.Storage.Blobs;
using Ferry.Storage.Database;

namespace Ferry.Storage.Snapshots;

internal sealed class SnapshotStore(FerryDatabase database, BlobStore blobs) : ISnapshotStore
{
    private const string Select =
        "SELECT s.id AS Id, s.name AS Name, s.owner AS Owner, s.runtime AS Runtime, s.created_at AS CreatedAt, b.size AS Size, s.content_hash AS Hash " +
        "FROM snapshots s JOIN blobs b ON b.hash = s.content_hash";

    public async Task AddAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await blobs.AddReferenceAsync(connection, transaction, snapshot.ContentHash, snapshot.ContentSize, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO snapshots (id, name, owner, runtime, created_at, content_hash) VALUES (@Id, @Name, @Owner, @Runtime, @CreatedAt, @ContentHash);",
            new { snapshot.Id, snapshot.Name, snapshot.Owner, Runtime = snapshot.Runtime.ToString(), CreatedAt = Timestamps.Format(snapshot.CreationTime), snapshot.ContentHash },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<Snapshot?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SnapshotRow>(new CommandDefinition(
            $"{Select} WHERE s.id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToSnapshot();
    }

    public async Task<IReadOnlyList<Snapshot>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            $"{Select} WHERE s.owner = @owner ORDER BY s.created_at, s.{database.Dialect.InsertionOrder};", new { owner }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToSnapshot())];
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var hash = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "DELETE FROM snapshots WHERE id = @id RETURNING content_hash;", new { id }, transaction, cancellationToken: cancellationToken));
        if (hash is null)
        {
            return false;
        }

        await blobs.ReleaseAsync(connection, transaction, hash, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private sealed record SnapshotRow(string Id, string Name, string Owner, string Runtime, string CreatedAt, long Size, string Hash)
    {
        public Snapshot ToSnapshot() => new(Id, Name, Owner, Enum.Parse<RuntimeType>(Runtime), Timestamps.Parse(CreatedAt), Size, Hash);
    }
}
