using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ferry.Storage.Database;

/// <summary>
/// A PostgreSQL database, possibly shared by several Ferry nodes. Write transactions take one
/// transaction-scoped advisory lock: the same single-writer rule SQLite's BEGIN IMMEDIATE gives,
/// across every node, released by commit or rollback (or a dropped connection).
/// </summary>
public sealed class PostgresDatabase : FerryDatabase, IAsyncDisposable
{
    /// <summary>The advisory lock key of Ferry's write transactions and migrations ("FerryWr").</summary>
    internal const long WriteLockKey = 0x46_6572_7279_5772;

    /// <summary>The application name of each node's change-notice connection, as <c>pg_stat_activity</c> shows it.</summary>
    public const string ListenerApplicationName = "ferry-changes";

    private readonly NpgsqlDataSource dataSource;
    private readonly NpgsqlDataSource listenerSource;
    private readonly string takeWriteLock;

    public PostgresDatabase(IOptions<DatabaseOptions> options, IOptions<StorageOptions> storage)
    {
        // A writer waits for the lock as long as SQLite's would for its file (BusyTimeout), then fails.
        takeWriteLock = $"SET LOCAL lock_timeout = {(long)storage.Value.BusyTimeout.TotalMilliseconds}; SELECT pg_advisory_xact_lock({WriteLockKey});";
        var connectionString = options.Value.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"{DatabaseOptions.Section}:ConnectionString must be set when {DatabaseOptions.Section}:Provider is Postgres.");
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        dataSource = NpgsqlDataSource.Create(builder);

        // The listener's one long-lived connection: outside the pool, named, and never reset behind its back.
        listenerSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, ApplicationName = ListenerApplicationName });
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override string Location { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>A connection of its own for LISTEN and the node's presence lock (see <see cref="Changes.PostgresChangeListener"/>).</summary>
    public async Task<NpgsqlConnection> OpenListenerAsync(CancellationToken cancellationToken) =>
        await listenerSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(takeWriteLock, transaction: transaction, cancellationToken: cancellationToken));
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync(); // rolled back: the connection is free for another try
            throw;
        }
    }

    public override async Task<IReadOnlyDictionary<string, object?>> DescribeAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["type"] = "postgres",
            ["serverVersion"] = connection.ServerVersion,
            ["database"] = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_database();", cancellationToken: cancellationToken)),
        };

    public async ValueTask DisposeAsync()
    {
        await listenerSource.DisposeAsync();
        await dataSource.DisposeAsync();
    }
}
