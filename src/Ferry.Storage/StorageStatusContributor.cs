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

/// <summary>Reports whether the data directory takes writes, by writing and removing a file.</summary>
internal sealed class DataDirectoryStatusContributor(DataDirectory dataDirectory) : IStatusContributor
{
    public string Name => "dataDirectory";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        var probe = dataDirectory.PathOf($".write-probe-{Guid.NewGuid():N}");
        var details = new Dictionary<string, object?> { ["path"] = dataDirectory.Root };
        try
        {
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
            details["writable"] = true;
            return StatusNode.Leaf(StatusCode.Pass, details);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            details["writable"] = false;
            details["error"] = ex.Message;
            return StatusNode.Leaf(StatusCode.Fail, details);
        }
    }
}
