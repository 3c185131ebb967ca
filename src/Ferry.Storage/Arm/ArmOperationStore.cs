using Dapper;
using Ferry.Core.Arm;
using Ferry.Storage.Database;

namespace Ferry.Storage.Arm;

/// <summary>Long-running operations, each with the node that runs it, so a node starting up fails only what a gone node left running.</summary>
internal sealed class ArmOperationStore(FerryDatabase database, NodePresence node) : IArmOperationStore
{
    public async Task AddAsync(ArmOperation operation, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO arm_operations (id, resource_id, status, started_at, node) VALUES (@Id, @ResourceId, @Status, @StartedAt, @Node);",
            new { operation.Id, operation.ResourceId, operation.Status, StartedAt = Timestamps.Format(operation.StartedAt), Node = node.Number },
            cancellationToken: cancellationToken));
    }

    public async Task<ArmOperation?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT id AS Id, resource_id AS ResourceId, status AS Status, started_at AS StartedAt, ended_at AS EndedAt, error AS Error FROM arm_operations WHERE id = @id;",
            new { id },
            cancellationToken: cancellationToken));
        return row is null ? null : new ArmOperation(row.Id, row.ResourceId, row.Status, Timestamps.Parse(row.StartedAt), row.EndedAt is null ? null : Timestamps.Parse(row.EndedAt), row.Error);
    }

    public async Task CompleteAsync(string id, string status, string? failure, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE arm_operations SET status = @status, error = @failure, ended_at = @endedAt WHERE id = @id;",
            new { id, status, failure, endedAt = Timestamps.Format(endedAt) },
            cancellationToken: cancellationToken));
    }

    public async Task FailUnfinishedAsync(string reason, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        // SQLite: one node, so whatever is unfinished was left by this one. PostgreSQL: only a gone node's
        // operations, those whose node lock can be taken (the transaction's lock ends with it).
        var gone = database.Provider == StorageProvider.Postgres
            ? $" AND (node IS NULL OR {NodePresence.GoneSql("node")})"
            : "";
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE arm_operations SET status = 'Failed', error = @reason, ended_at = @endedAt WHERE status = 'InProgress'" + gone + ";",
            new { reason, endedAt = Timestamps.Format(endedAt) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record Row(string Id, string ResourceId, string Status, string StartedAt, string? EndedAt, string? Error);
}
