using Dapper;
using Ferry.Core.Status;
using Ferry.Storage.Database;

namespace Ferry.Storage;

/// <summary>Reports the database (a real query) under <c>database</c>.</summary>
internal sealed class DatabaseStatusContributor(SqliteDatabase database) : IStatusContributor
{
    public string Name => "database";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken: cancellationToken));
        var journal = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode;", cancellationToken: cancellationToken));
        return StatusNode.Leaf(StatusCode.Pass, new Dictionary<string, object?>
        {
            ["type"] = "sqlite",
            ["name"] = "main",
            ["state"] = "Open",
            ["schemaVersion"] = version,
            ["journalMode"] = journal,
        });
    }
}
