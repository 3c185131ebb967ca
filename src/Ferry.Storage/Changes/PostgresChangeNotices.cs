using Dapper;
using Ferry.Core.Changes;
using Ferry.Storage.Database;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ferry.Storage.Changes;

/// <summary>
/// PostgreSQL's notices: <c>pg_notify</c> on one channel, after the change committed; every node's
/// <see cref="PostgresChangeListener"/> hears them. A payload is "node topic key", so a node skips its own.
/// </summary>
internal sealed partial class PostgresChangeNotices(FerryDatabase database, NodePresence node, ILogger<PostgresChangeNotices> logger) : IChangeNotices
{
    /// <summary>The channel every node listens on.</summary>
    public const string Channel = "ferry_changes";

    /// <summary>This process, as its notices name it.</summary>
    public string NodeId { get; } = node.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task PublishAsync(string topic, string key, CancellationToken cancellationToken)
    {
        var payload = $"{NodeId} {topic} {key}"; // keys are checked names, far below PostgreSQL's 8000-byte limit
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @payload);", new { channel = Channel, payload }, cancellationToken: cancellationToken));
        }
        catch (NpgsqlException ex)
        {
            // The change is committed; a node that misses the notice resyncs when its listener reconnects, and caches expire.
            LogPublishFailed(logger, ex, topic, key);
        }
    }

    /// <summary>The node, topic and key of a payload; null for one that is not Ferry's.</summary>
    public static (string Node, string Topic, string Key)? Parse(string payload)
    {
        var parts = payload.Split(' ', 3);
        return parts.Length == 3 ? (parts[0], parts[1], parts[2]) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes that {Topic} {Key} changed; they see it when they resync")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string topic, string key);
}
