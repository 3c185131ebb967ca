using System.Data.Common;

namespace Ferry.Storage.Database;

/// <summary>
/// The database behind every store, whichever provider holds it: connections, the write
/// transaction, and the <see cref="SqlDialect"/> for the few statements the providers spell apart.
/// </summary>
public abstract class FerryDatabase
{
    public abstract StorageProvider Provider { get; }

    public abstract SqlDialect Dialect { get; }

    /// <summary>Where the database is, for messages: a file path, or host, port and database (never a password).</summary>
    public abstract string Location { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A transaction for a read-then-write: it holds the database's write lock from its first
    /// statement, so no other writer (on any node) interleaves with it.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>What <c>/status</c> shows of the database beyond the schema version.</summary>
    public abstract Task<IReadOnlyDictionary<string, object?>> DescribeAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs once at start-up, before the migrations, outside their transaction.</summary>
    protected internal virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;
}
