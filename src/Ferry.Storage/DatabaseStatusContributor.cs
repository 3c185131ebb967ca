using Dapper;
using Ferry.Core.Status;
using Ferry.Storage.Database;

namespace Ferry.Storage;

/// <summary>Reports the database (a real query) under <c>database</c>: its provider, schema version and the provider's own details.</summary>
internal sealed class DatabaseStatusContributor(FerryDatabase database) : IStatusContributor
{
    public string Name => "database";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken: cancellationToken));
        var details = new Dictionary<string, object?>(await database.DescribeAsync(connection, cancellationToken))
        {
            ["name"] = "main",
            ["state"] = "Open",
            ["schemaVersion"] = version,
        };
        return StatusNode.Leaf(StatusCode.Pass, details);
    }
}
