using Ferry.Storage.Database;
using Npgsql;

namespace Ferry.Server.Tests.Storage;

/// <summary>
/// A node's presence as its change listener holds it: a session advisory lock on a connection no pool
/// keeps. Disposing it ends the session and waits until PostgreSQL has let the lock go, as it does when a node dies.
/// </summary>
internal sealed class PresenceLock : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly string connectionString;
    private readonly int number;

    private PresenceLock(NpgsqlConnection connection, string connectionString, int number) =>
        (this.connection, this.connectionString, this.number) = (connection, connectionString, number);

    public static async Task<PresenceLock> HoldAsync(IReadOnlyDictionary<string, string?> settings, TestStorage node)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(settings["Ferry:Storage:ConnectionString"]) { Pooling = false }.ConnectionString;
        var number = node.Get<NodePresence>().Number;
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({NodePresence.LockClass}, {number});", connection);
        await take.ExecuteNonQueryAsync();
        return new PresenceLock(connection, connectionString, number);
    }

    public async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        await using var observer = new NpgsqlConnection(connectionString);
        await observer.OpenAsync();
        for (var i = 0; i < 100; i++)
        {
            await using var held = new NpgsqlCommand($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = {NodePresence.LockClass} AND objid = {number};", observer);
            if ((long)(await held.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            await Task.Delay(50);
        }
    }
}
