using System.Data;
using Dapper;
using Ferry.Core.Batches;
using Ferry.Storage.Database;

namespace Ferry.Storage.Batches;

/// <summary>Batch executions and their records; many records go in one prepared command, in one transaction.</summary>
internal sealed class BatchStore(FerryDatabase database, NodePresence node) : IBatchStore
{
    private const string Columns =
        """
        id AS Id, name AS Name, version AS Version, owner AS Owner, parallel_count AS ParallelCount, total AS Total,
        completed AS Completed, state AS State, created_at AS CreatedAt, error AS Error
        """;

    public async Task AddAsync(BatchExecution batch, IReadOnlyList<string> records, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO batch_executions (id, name, version, owner, parallel_count, total, completed, state, created_at, node)
            VALUES (@Id, @Name, @Version, @Owner, @ParallelCount, @TotalItemCount, 0, @State, @CreatedAt, @Node);
            """,
            new { batch.Id, batch.Name, batch.Version, batch.Owner, batch.ParallelCount, batch.TotalItemCount, State = batch.State.ToString(), CreatedAt = Timestamps.Format(batch.CreatedAt), Node = node.Number },
            transaction,
            cancellationToken: cancellationToken));
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO batch_records (batch_id, idx, input) VALUES (@id, @idx, @input);";
        insert.AddParameter("id", DbType.String).Value = batch.Id;
        var index = insert.AddParameter("idx", DbType.Int64);
        var input = insert.AddParameter("input", DbType.String);
        await insert.PrepareAsync(cancellationToken);
        for (var i = 0; i < records.Count; i++)
        {
            index.Value = (long)i;
            input.Value = records[i];
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<BatchExecution?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BatchRow>(new CommandDefinition(
            $"SELECT {Columns} FROM batch_executions WHERE id = @id;", new { id }, cancellationToken: cancellationToken));
        return row?.ToBatch();
    }

    public async Task<IReadOnlyList<BatchExecution>> ListAsync(string name, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<BatchRow>(new CommandDefinition(
            $"SELECT {Columns} FROM batch_executions WHERE name = @name AND version = @version ORDER BY created_at, id;",
            new { name, version },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToBatch())];
    }

    public async Task<IReadOnlyList<BatchExecution>> ClaimUnfinishedAsync(CancellationToken cancellationToken)
    {
        // PostgreSQL: a batch whose node's presence lock can be taken (the transaction's, ended by its commit)
        // has no live node; of two nodes claiming at once, the one holding that lock takes it.
        var free = database.Provider == StorageProvider.Postgres
            ? $" AND (node IS NULL OR node = @Node OR {NodePresence.GoneSql("node")})"
            : "";
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE batch_executions SET node = @Node WHERE state IN ('Pending', 'InProgress'){free};", new { Node = node.Number }, transaction, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<BatchRow>(new CommandDefinition(
            $"SELECT {Columns} FROM batch_executions WHERE state IN ('Pending', 'InProgress') AND node = @Node ORDER BY created_at, id;",
            new { Node = node.Number },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return [.. rows.Select(r => r.ToBatch())];
    }

    public async Task<IReadOnlyList<BatchRecord>> PendingRecordsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IndexedText>(new CommandDefinition(
            "SELECT idx AS \"Index\", input AS Text FROM batch_records WHERE batch_id = @id AND result IS NULL ORDER BY idx;",
            new { id },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new BatchRecord((int)r.Index, r.Text))];
    }

    public async Task SaveResultsAsync(string id, IReadOnlyList<BatchResult> results, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE batch_records SET result = @result WHERE batch_id = @id AND idx = @idx AND result IS NULL;";
        update.AddParameter("id", DbType.String).Value = id;
        var index = update.AddParameter("idx", DbType.Int64);
        var result = update.AddParameter("result", DbType.String);
        await update.PrepareAsync(cancellationToken);
        var stored = 0;
        foreach (var item in results)
        {
            index.Value = (long)item.Index;
            result.Value = item.Result;
            stored += await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE batch_executions SET completed = completed + @stored WHERE id = @id;", new { id, stored }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task SetStateAsync(string id, BatchState state, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE batch_executions SET state = @state, error = @error WHERE id = @id;",
            new { id, state = state.ToString(), error = reason },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<BatchResult>> ResultsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IndexedText>(new CommandDefinition(
            "SELECT idx AS \"Index\", result AS Text FROM batch_records WHERE batch_id = @id AND result IS NOT NULL ORDER BY idx;",
            new { id },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new BatchResult((int)r.Index, r.Text))];
    }

    public async Task<string?> ResultAsync(string id, int index, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT result FROM batch_records WHERE batch_id = @id AND idx = @index;", new { id, index }, cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM batch_executions WHERE id = @id;", new { id }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    private sealed class IndexedText
    {
        public long Index { get; init; }

        public string Text { get; init; } = "";
    }

    private sealed class BatchRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string Version { get; init; } = "";

        public string Owner { get; init; } = "";

        public long ParallelCount { get; init; }

        public long Total { get; init; }

        public long Completed { get; init; }

        public string State { get; init; } = "";

        public string CreatedAt { get; init; } = "";

        public string? Error { get; init; }

        public BatchExecution ToBatch() => new(
            Id, Name, Version, Owner, (int)ParallelCount, (int)Total, (int)Completed, Enum.Parse<BatchState>(State), Timestamps.Parse(CreatedAt), Error);
    }
}
