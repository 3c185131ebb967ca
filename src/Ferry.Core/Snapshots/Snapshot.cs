using Ferry.Core.Execution;

namespace Ferry.Core.Snapshots;

/// <summary>A session's workspace and working-directory files, saved as one zip in the blob store.</summary>
public sealed record Snapshot(string Id, string Name, string Owner, RuntimeType Runtime, DateTimeOffset CreationTime, long ContentSize, string ContentHash);

/// <summary>Snapshot rows and their content; every change is one transaction.</summary>
public interface ISnapshotStore
{
    /// <summary>Stores the row and takes a reference on its staged content.</summary>
    Task AddAsync(Snapshot snapshot, CancellationToken cancellationToken);

    Task<Snapshot?> FindAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Snapshot>> ListAsync(string owner, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Reads content-addressed bytes; writes happen in the stores' transactions.</summary>
public interface IBlobStore
{
    /// <summary>The file holding the blob; it exists while a row references it.</summary>
    string PathOf(string hash);

    /// <summary>Moves a file into the store under its SHA-256 and returns the hash and size; a row must then reference it.</summary>
    Task<(string Hash, long Size)> StageAsync(string file, CancellationToken cancellationToken);
}
