using System.Globalization;

namespace Ferry.Storage.Database;

/// <summary>
/// Timestamps are stored as ISO 8601 text in UTC: sortable, comparable as strings, readable in
/// the sqlite3 shell, and the same text in PostgreSQL's migration set.
/// </summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
