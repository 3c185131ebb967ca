using Dapper;
using Ferry.Core.Sessions;
using Ferry.Storage.Database;

namespace Ferry.Storage.Sessions;

/// <summary>
/// Session placements, each tagged with the <see cref="NodePresence"/> number of the node that holds it.
/// A node lives while it is this process (SQLite has one node) or, on PostgreSQL, while its presence lock is
/// held: <c>pg_try_advisory_xact_lock</c> takes it only once the node is gone (and the statement's transaction frees it).
/// </summary>
internal sealed class SessionPlacementStore(FerryDatabase database, NodePresence presence) : ISessionPlacementStore
{
    public async Task<bool> TryAddAsync(SessionPlacement placement, int maxOfOwner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var held = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT count(*) FROM session_placements WHERE owner = @Owner AND {Lives};",
            new { placement.Owner, Me = presence.Number },
            transaction,
            cancellationToken: cancellationToken));
        if (held >= maxOfOwner)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO session_placements (session_id, owner, node_url, node_instance, node) VALUES (@SessionId, @Owner, @NodeUrl, @NodeInstance, @Me);",
            new { placement.SessionId, placement.Owner, placement.NodeUrl, placement.NodeInstance, Me = presence.Number },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task RemoveAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM session_placements WHERE session_id = @SessionId;", new { SessionId = sessionId }, cancellationToken: cancellationToken));
    }

    public async Task<SessionPlacement?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SessionPlacement>(new CommandDefinition(
            "SELECT session_id AS SessionId, owner AS Owner, node_url AS NodeUrl, node_instance AS NodeInstance FROM session_placements WHERE session_id = @SessionId;",
            new { SessionId = sessionId },
            cancellationToken: cancellationToken));
    }

    public async Task<int> SweepGoneAsync(DateTimeOffset now, TimeSpan keepGone, CancellationToken cancellationToken)
    {
        // Liveness is asked again at every step: a node that lost its database connection for a while (and its
        // presence lock with it) takes the lock back under the same number, and its rows are its own again.
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE session_placements SET gone_at = NULL WHERE gone_at IS NOT NULL AND {Lives};",
            new { Me = presence.Number },
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE session_placements SET gone_at = @Now WHERE gone_at IS NULL AND NOT {Lives};",
            new { Now = Timestamps.Format(now), Me = presence.Number },
            cancellationToken: cancellationToken));
        return await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM session_placements WHERE gone_at < @Cutoff AND NOT {Lives};",
            new { Cutoff = Timestamps.Format(now - keepGone), Me = presence.Number },
            cancellationToken: cancellationToken));
    }

    /// <summary>Whether the row's node lives: it is this node, or (PostgreSQL) another whose presence lock is held.</summary>
    private string Lives => database.Provider == StorageProvider.Postgres
        ? $"(node = @Me OR NOT {NodePresence.GoneSql("node")})"
        : "node = @Me";
}
