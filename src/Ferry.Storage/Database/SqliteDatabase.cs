using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Ferry.Storage.Database;

/// <summary>
/// The SQLite file in the data directory. Connections are pooled by the provider; each one gets the
/// busy timeout and foreign keys, and the file is in WAL mode so readers never block the writer.
/// </summary>
public sealed class SqliteDatabase : FerryDatabase
{
    private readonly string connectionString;

    public SqliteDatabase(IOptions<StorageOptions> options, DataDirectory dataDirectory)
    {
        _ = dataDirectory; // ensures the directory exists before the file is opened
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.Value.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)options.Value.BusyTimeout.TotalSeconds,
            ForeignKeys = true,
        };
        connectionString = builder.ToString();
        Location = options.Value.DatabasePath;
    }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    public override string Location { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>BEGIN IMMEDIATE: the write lock at once, so a read-then-write never meets another writer.</summary>
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override async Task<IReadOnlyDictionary<string, object?>> DescribeAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new Dictionary<string, object?>
        {
            ["type"] = "sqlite",
            ["journalMode"] = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode;", cancellationToken: cancellationToken)),
        };

    /// <summary>WAL is a property of the file, so setting it once at start-up holds for every connection.</summary>
    protected internal override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL;", cancellationToken: cancellationToken));
}
