using Dapper;
using Ferry.Core.ComputeNodes;
using Ferry.Storage.Database;

namespace Ferry.Storage.ComputeNodes;

internal sealed class ComputeNodeStore(FerryDatabase database) : IComputeNodeStore
{
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var entries = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT entry FROM compute_nodes ORDER BY position;", cancellationToken: cancellationToken));
        return [.. entries];
    }

    public async Task UpdateAsync(Func<IReadOnlyList<string>, IReadOnlyList<string>> change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var current = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT entry FROM compute_nodes ORDER BY position;", transaction: transaction, cancellationToken: cancellationToken))).ToList();
        var next = change(current);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM compute_nodes;", transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO compute_nodes (entry, position) VALUES (@Entry, @Position);",
            next.Select((entry, position) => new { Entry = entry, Position = position }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
