using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Snapshots;
using Ferry.Core.WebServices;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Blobs;

namespace Ferry.Server.Tests.Storage;

/// <summary>Snapshots and web services, and the reference-counted blobs they share.</summary>
public sealed class WebServiceStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Snapshots_ListPerOwnerInCreationOrder_EvenAtOneTime_DeleteRemovesTheLastReferencedFile(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var snapshots = storage.Get<ISnapshotStore>();
        var (hash, size) = await storage.StageBlobAsync("zip bytes");
        foreach (var id in new[] { "s-3", "s-1", "s-2" })
        {
            await snapshots.AddAsync(new Snapshot(id, $"name {id}", "alice", RuntimeType.Python, Now, size, hash), storage.Token);
        }

        await snapshots.AddAsync(new Snapshot("s-4", "bob's", "bob", RuntimeType.R, Now, size, hash), storage.Token);

        Assert.Equal(["s-3", "s-1", "s-2"], (await snapshots.ListAsync("alice", storage.Token)).Select(s => s.Id));
        Assert.Equal(new Snapshot("s-4", "bob's", "bob", RuntimeType.R, Now, size, hash), await snapshots.FindAsync("s-4", storage.Token));

        var file = storage.Get<BlobStore>().PathOf(hash);
        foreach (var id in new[] { "s-1", "s-2", "s-3" })
        {
            Assert.True(await snapshots.DeleteAsync(id, storage.Token));
        }

        Assert.True(File.Exists(file));
        Assert.True(await snapshots.DeleteAsync("s-4", storage.Token));
        Assert.False(await snapshots.DeleteAsync("s-4", storage.Token));
        Assert.False(File.Exists(file));
    }

    [Theory]
    [Providers]
    public async Task WebServices_TryAddTwiceConflicts_ListInPublishingOrder_ContentOutlivesTheSnapshot(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var snapshots = storage.Get<ISnapshotStore>();
        var services = storage.Get<IWebServiceStore>();
        var (hash, size) = await storage.StageBlobAsync("snapshot zip");
        await snapshots.AddAsync(new Snapshot("s-1", "snap", "alice", RuntimeType.Python, Now, size, hash), storage.Token);

        var v2 = Service("Iris", "V2.0", hash) with { Pool = new PoolSize(1, 3) };
        Assert.True(await services.TryAddAsync(v2, storage.Token));
        Assert.True(await services.TryAddAsync(Service("Iris", "V1.0", null), storage.Token));
        Assert.False(await services.TryAddAsync(Service("Iris", "V2.0", hash) with { Description = "second" }, storage.Token));
        Assert.True(await snapshots.DeleteAsync("s-1", storage.Token));

        var listed = await services.ListAsync(storage.Token);
        Assert.Equal(["V2.0", "V1.0"], listed.Select(s => s.Version));
        Assert.Equivalent(v2, listed[0], strict: true);
        Assert.True(File.Exists(storage.Get<BlobStore>().PathOf(hash)));

        // Sharing content that is gone is the caller's 400, not a dangling reference.
        var gone = await Assert.ThrowsAsync<FerryException>(() => services.TryAddAsync(Service("Iris", "V3.0", new string('0', 64)), storage.Token));
        Assert.Contains("deleted", gone.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await services.ListAsync(storage.Token)).Count);

        Assert.True(await services.DeleteAsync("Iris", "V2.0", storage.Token));
        Assert.False(await services.DeleteAsync("Iris", "V2.0", storage.Token));
        Assert.False(File.Exists(storage.Get<BlobStore>().PathOf(hash)));
    }

    [Theory]
    [Providers]
    public async Task WebServices_UpdateToARealtimeModel_ReleasesTheOldContent_KeepsBatching(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var services = storage.Get<IWebServiceStore>();
        var (first, _) = await storage.StageBlobAsync("model one");
        var (second, _) = await storage.StageBlobAsync("model two");
        var realtime = Service("Fast", "V1.0", first) with
        {
            Runtime = RuntimeType.Realtime, Inputs = WebService.RealtimeInputs, Outputs = WebService.RealtimeOutputs,
            Batching = new RealtimeBatching(16, TimeSpan.FromMilliseconds(2.5)),
        };
        Assert.True(await services.TryAddAsync(realtime, storage.Token));

        var updated = realtime with { ContentHash = second, Description = "retrained", Revision = 2 };
        await services.UpdateAsync(updated, storage.Token);

        var stored = (await services.ListAsync(storage.Token)).Single();
        Assert.Equivalent(updated, stored, strict: true);
        Assert.Equal(new RealtimeBatching(16, TimeSpan.FromMilliseconds(2.5)), stored.Batching);
        Assert.False(File.Exists(storage.Get<BlobStore>().PathOf(first)));
        Assert.True(File.Exists(storage.Get<BlobStore>().PathOf(second)));
    }

    private static WebService Service(string name, string version, string? contentHash) => new(
        name, version, "alice", Now, contentHash is null ? null : "s-1", RuntimeType.Python, "import numpy", "y = x", "iris", $"consume{version}",
        [new ParameterDefinition("x", "vector")], [new ParameterDefinition("y", "character")], ["out.txt"], contentHash, null, 1);
}
