namespace Ferry.Storage;

/// <summary>The database that holds Ferry's records (<c>Ferry:Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>The embedded file <c>ferry.db</c> in the data directory: one server, nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server that several Ferry nodes can share.</summary>
    Postgres,
}
