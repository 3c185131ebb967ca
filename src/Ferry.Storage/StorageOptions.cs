namespace Ferry.Storage;

/// <summary>Where Ferry keeps its state (section <c>Ferry</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Ferry";

    /// <summary>The configuration key of <see cref="DataDirectory"/>.</summary>
    public const string DataDirectoryKey = Section + ":" + nameof(DataDirectory);

    /// <summary>The data directory: database, signing key, blobs, session working directories.</summary>
    public string DataDirectory { get; set; } = "ferry-data";

    /// <summary>
    /// This node's own directories (session and pool workers' working directories, warm workers,
    /// sandboxes), cleared at start-up and never shared; by default the data directory. Nodes that
    /// share a data directory (on PostgreSQL) each need their own.
    /// </summary>
    public string? NodeDirectory { get; set; }

    /// <summary>How long a writer waits for the database's write lock before giving up (SQLite's busy timeout, PostgreSQL's lock_timeout).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The database file inside the data directory.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "ferry.db");
}
