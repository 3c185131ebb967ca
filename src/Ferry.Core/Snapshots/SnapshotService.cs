using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Core.Text;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Snapshots;

/// <summary>
/// Snapshots of sessions: the workspace (dill) and the working-directory files, zipped into the blob
/// store. A snapshot is its owner's only: to anyone else it does not exist (404).
/// </summary>
public sealed class SnapshotService(SessionService sessions, ISnapshotStore store, IBlobStore blobs, IOptions<RemoteSessionOptions> options, TimeProvider time)
{
    public async Task<Snapshot> CreateAsync(string owner, string sessionId, string? name, CancellationToken cancellationToken)
    {
        FreeText.Check("name", name, FreeText.MaxName);
        var scratch = Scratch();
        var workspace = Path.Combine(scratch, Guid.NewGuid().ToString("N") + ".dill");
        var zip = Path.Combine(scratch, Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            // Saved under the session's gate, so no execution changes the workspace or files half-way.
            var session = await sessions.WithWorkerAsync(owner, sessionId, async (session, worker, ct) =>
            {
                await worker.SaveWorkspaceAsync(workspace, ct);
                SnapshotContent.Pack(workspace, worker.WorkingDirectory, zip);
                return session;
            }, cancellationToken);
            var (hash, size) = await blobs.StageAsync(zip, cancellationToken);
            var id = Guid.NewGuid().ToString("D");
            var snapshot = new Snapshot(id, string.IsNullOrWhiteSpace(name) ? id : name, owner, session.Runtime, time.GetUtcNow(), size, hash);
            await store.AddAsync(snapshot, cancellationToken);
            return snapshot;
        }
        finally
        {
            File.Delete(workspace);
            File.Delete(zip);
        }
    }

    public Task<IReadOnlyList<Snapshot>> ListAsync(string owner, CancellationToken cancellationToken) => store.ListAsync(owner, cancellationToken);

    public async Task<Snapshot> GetAsync(string owner, string id, CancellationToken cancellationToken)
    {
        var snapshot = await store.FindAsync(id, cancellationToken);
        return snapshot is not null && snapshot.Owner == owner
            ? snapshot
            : throw FerryException.NotFound($"There is no snapshot '{id}'.");
    }

    /// <summary>The snapshot's zip file.</summary>
    public async Task<string> GetContentAsync(string owner, string id, CancellationToken cancellationToken) =>
        blobs.PathOf((await GetAsync(owner, id, cancellationToken)).ContentHash);

    public async Task DeleteAsync(string owner, string id, CancellationToken cancellationToken)
    {
        await GetAsync(owner, id, cancellationToken);
        await store.DeleteAsync(id, cancellationToken);
    }

    /// <summary>Merges the snapshot's workspace into the session and writes its files over the working directory's.</summary>
    public async Task LoadAsync(string owner, string sessionId, string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(owner, snapshotId, cancellationToken);
        var workspace = Path.Combine(Scratch(), Guid.NewGuid().ToString("N") + ".dill");
        try
        {
            await sessions.WithWorkerAsync(owner, sessionId, async (session, worker, ct) =>
            {
                if (session.Runtime != snapshot.Runtime)
                {
                    throw FerryException.BadRequest($"Snapshot '{snapshotId}' is of a {snapshot.Runtime} session; it loads only into {snapshot.Runtime} sessions.");
                }

                SnapshotContent.Unpack(blobs.PathOf(snapshot.ContentHash), worker.WorkingDirectory, workspace);
                await worker.LoadWorkspaceAsync(workspace, ct);
                return true;
            }, cancellationToken);
        }
        finally
        {
            File.Delete(workspace);
        }
    }

    private string Scratch() => Directory.CreateDirectory(Path.Combine(Path.GetFullPath(options.Value.Directory), ".scratch")).FullName;
}
