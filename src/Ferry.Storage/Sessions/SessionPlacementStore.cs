using Dapper;
using Ferry.Core.Sessions;
using Ferry.Storage.Database;

namespace Ferry.Storage.Sessions;

internal sealed class SessionPlacementStore(FerryDatabase database) : ISessionPlacementStore
{
    public async Task AddAsync(SessionPlacement placement, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO session_placements (session_id, owner, node_url, node_instance) VALUES (@SessionId, @Owner, @NodeUrl, @NodeInstance);",
            placement,
            cancellationToken: cancellationToken));
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
            $"{Select} WHERE session_id = @SessionId;", new { SessionId = sessionId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<SessionPlacement>> ListByOwnerAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<SessionPlacement>(new CommandDefinition(
            $"{Select} WHERE owner = @Owner;", new { Owner = owner }, cancellationToken: cancellationToken))];
    }

    private const string Select = "SELECT session_id AS SessionId, owner AS Owner, node_url AS NodeUrl, node_instance AS NodeInstance FROM session_placements";
}
