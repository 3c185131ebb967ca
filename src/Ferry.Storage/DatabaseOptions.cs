namespace Ferry.Storage;

/// <summary>Which database Ferry uses (section <c>Ferry:Storage</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Ferry:Storage";

    /// <summary>SQLite in the data directory (the default) or PostgreSQL.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql's keywords); required for <see cref="StorageProvider.Postgres"/>.</summary>
    public string? ConnectionString { get; set; }

    internal bool IsValid => Provider switch
    {
        StorageProvider.Sqlite => true,
        StorageProvider.Postgres => !string.IsNullOrWhiteSpace(ConnectionString),
        _ => false,
    };
}
