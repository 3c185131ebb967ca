using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ferry.Storage.Database;

/// <summary>Provider errors the rest of Ferry answers the same way on either database.</summary>
public static class DatabaseErrors
{
    private const int SqliteConstraint = 19;

    /// <summary>
    /// A row that a unique key already holds (SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL 23505). The stores
    /// insert with ON CONFLICT where a name may be taken; this is the net under a race they did not foresee.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
