using Ferry.Core.Batches;
using Ferry.Core.Execution;
using Ferry.Core.WebServices;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Database;

namespace Ferry.Server.Tests.Storage;

public sealed class BatchStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Records_PendingUntilSaved_ASecondResultIsNotCounted_ResultsInInputOrder(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var batches = await WithServiceAsync(storage);
        var records = Enumerable.Range(0, 500).Select(i => $"{{\"x\":{i}}}").ToList();
        await batches.AddAsync(Batch("b-1", records.Count), records, storage.Token);

        await batches.SaveResultsAsync("b-1", [new BatchResult(3, "r3"), new BatchResult(0, "r0")], storage.Token);
        await batches.SaveResultsAsync("b-1", [new BatchResult(3, "again"), new BatchResult(499, "r499")], storage.Token);

        Assert.Equal(3, (await batches.GetAsync("b-1", storage.Token))!.CompletedItemCount);
        var pending = await batches.PendingRecordsAsync("b-1", storage.Token);
        Assert.Equal(497, pending.Count);
        Assert.Equal(new BatchRecord(1, "{\"x\":1}"), pending[0]);
        Assert.Equal(new BatchRecord(498, "{\"x\":498}"), pending[^1]);
        Assert.Equal([new BatchResult(0, "r0"), new BatchResult(3, "r3"), new BatchResult(499, "r499")], await batches.ResultsAsync("b-1", storage.Token));
        Assert.Equal("r3", await batches.ResultAsync("b-1", 3, storage.Token));
        Assert.Null(await batches.ResultAsync("b-1", 4, storage.Token));
        Assert.Null(await batches.ResultAsync("b-1", 900, storage.Token));
    }

    [Theory]
    [Providers]
    public async Task States_UnfinishedListed_DeleteAndServiceDeletionTakeRecordsAlong(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var batches = await WithServiceAsync(storage);
        foreach (var id in new[] { "b-1", "b-2", "b-3" })
        {
            await batches.AddAsync(Batch(id, 2), ["{}", "{}"], storage.Token);
        }

        await batches.SetStateAsync("b-1", BatchState.InProgress, null, storage.Token);
        await batches.SetStateAsync("b-2", BatchState.Failed, "worker died", storage.Token);

        Assert.Equal(["b-1", "b-3"], (await batches.ClaimUnfinishedAsync(storage.Token)).Select(b => b.Id));
        Assert.Equal(Batch("b-2", 2) with { State = BatchState.Failed, Error = "worker died" }, await batches.GetAsync("b-2", storage.Token));
        Assert.Equal(["b-1", "b-2", "b-3"], (await batches.ListAsync("Iris", "V1.0", storage.Token)).Select(b => b.Id));

        Assert.True(await batches.DeleteAsync("b-2", storage.Token));
        Assert.False(await batches.DeleteAsync("b-2", storage.Token));
        Assert.Empty(await batches.PendingRecordsAsync("b-2", storage.Token));

        await storage.Get<IWebServiceStore>().DeleteAsync("Iris", "V1.0", storage.Token);
        Assert.Empty(await batches.ListAsync("Iris", "V1.0", storage.Token));
        Assert.Null(await batches.GetAsync("b-1", storage.Token));
        Assert.Empty(await batches.PendingRecordsAsync("b-3", storage.Token));
    }

    [Fact]
    public async Task ClaimUnfinished_OnPostgres_TakesOnlyTheBatchesOfNodesThatAreGone()
    {
        var settings = await TestStorage.SettingsAsync(StorageProvider.Postgres, Cluster);
        await using var running = TestStorage.Open(settings);
        await running.Get<Migrator>().MigrateAsync(running.Token);
        await using var starting = TestStorage.Open(settings);
        var batches = await WithServiceAsync(running);
        await batches.AddAsync(Batch("b-running", 2), ["{}", "{}"], running.Token);

        var presence = await PresenceLock.HoldAsync(settings, running);
        Assert.Empty(await starting.Get<IBatchStore>().ClaimUnfinishedAsync(starting.Token));
        Assert.Equal(["b-running"], (await batches.ClaimUnfinishedAsync(running.Token)).Select(b => b.Id)); // its own, after a restart of it

        await presence.DisposeAsync(); // the running node is gone
        await using var startingPresence = await PresenceLock.HoldAsync(settings, starting);
        Assert.Equal(["b-running"], (await starting.Get<IBatchStore>().ClaimUnfinishedAsync(starting.Token)).Select(b => b.Id));
        Assert.Empty(await batches.ClaimUnfinishedAsync(running.Token)); // taken: a node that comes back does not run it twice
    }

    private static async Task<IBatchStore> WithServiceAsync(TestStorage storage)
    {
        await storage.Get<IWebServiceStore>().TryAddAsync(new WebService(
            "Iris", "V1.0", "alice", Now, null, RuntimeType.Python, "", "y = x", "", null, [new("x", "numeric")], [new("y", "numeric")], [], null, null, 1), storage.Token);
        return storage.Get<IBatchStore>();
    }

    private static BatchExecution Batch(string id, int total) => new(id, "Iris", "V1.0", "alice", 2, total, 0, BatchState.Pending, Now, null);
}
