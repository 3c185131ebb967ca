namespace Ferry.Core.Snapshots;

/// <summary>Snapshot rows and their content; every change is one transaction.</summary>
public interface ISnapshotStore
{
    /// <summary>Stores the row and takes a reference on its staged content.</summary>
    Task AddAsync(Snapshot snapshot, CancellationToken cancellationToken);

    Task<Snapshot?> FindAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Snapshot>> ListAsync(string owner, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
