namespace Ferry.Storage.Database;

/// <summary>
/// The SQL that differs between the providers. Everything else is written once in the common
/// subset both speak: <c>ON CONFLICT … DO NOTHING/UPDATE</c>, <c>RETURNING</c>, <c>COLLATE nocase</c>
/// (a collation the PostgreSQL schema creates), timestamps as ISO 8601 text.
/// </summary>
public sealed record SqlDialect
{
    public static readonly SqlDialect Sqlite = new() { InsertionOrder = "rowid", SkipLocked = "" };

    public static readonly SqlDialect Postgres = new() { InsertionOrder = "seq", SkipLocked = " FOR UPDATE SKIP LOCKED" };

    /// <summary>The column that orders rows of equal timestamps as they were inserted (SQLite's rowid, an identity column on PostgreSQL).</summary>
    public required string InsertionOrder { get; init; }

    /// <summary>Appended to a claim's SELECT: rows another transaction is claiming are passed over, not waited for (SQLite has one writer).</summary>
    public required string SkipLocked { get; init; }
}
