using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Ferry.Storage.Database;

/// <summary>
/// Opens connections to the SQLite file. Connections are pooled by the provider; each one gets the
/// busy timeout and foreign keys, and the file is in WAL mode so readers never block the writer.
/// </summary>
public sealed class SqliteDatabase
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
        Path = options.Value.DatabasePath;
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Starts a write transaction that takes the write lock at once (BEGIN IMMEDIATE).</summary>
    public static DbTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);
}
