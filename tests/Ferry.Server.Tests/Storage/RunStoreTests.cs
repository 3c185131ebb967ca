using System.Collections.Concurrent;
using Ferry.Core.Runs;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

public sealed class RunStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Experiments_CreatedOnce_InAnyCase_RunsNumberedPerExperiment(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var runs = storage.Get<IRunStore>();
        var experiment = await runs.GetOrAddExperimentAsync("rg", "ws", "train", Now, storage.Token);
        Assert.Equal(experiment, await runs.GetOrAddExperimentAsync("RG", "WS", "TRAIN", Now.AddHours(1), storage.Token));
        var other = await runs.GetOrAddExperimentAsync("rg", "ws", "evaluate", Now, storage.Token);
        Assert.Equal(["train", "evaluate"], (await runs.ListExperimentsAsync("rg", "ws", storage.Token)).Select(e => e.Name));

        var first = await runs.AddAsync(Run("r-1", experiment), int.MaxValue, storage.Token);
        var second = await runs.AddAsync(Run("r-2", experiment), int.MaxValue, storage.Token);
        var elsewhere = await runs.AddAsync(Run("r-3", other), int.MaxValue, storage.Token);

        Assert.Equal((1, 2, 1), (first!.RunNumber, second!.RunNumber, elsewhere!.RunNumber));
        Assert.Equivalent(first, await runs.FindAsync("r-1", storage.Token), strict: true);
        Assert.Equal(["r-1", "r-2"], (await runs.ListAsync(experiment.ExperimentId, storage.Token)).Select(r => r.RunId));
    }

    [Theory]
    [Providers]
    public async Task Add_RacingPastTheSubmittersCap_AddsOnlyUpToIt(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var runs = storage.Get<IRunStore>();
        var experiment = await runs.GetOrAddExperimentAsync("rg", "ws", "train", Now, storage.Token);
        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => runs.AddAsync(Run($"r-{i}", experiment), 3, storage.Token))));
        Assert.Equal(3, added.Count(r => r is not null));
        Assert.Equal(3, await runs.CountActiveAsync("ALICE", storage.Token));
    }

    [Theory]
    [Providers]
    public async Task SetStatus_StampsStartAndEnd_AnEndedRunStaysEnded_ActiveCountIgnoresCase(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var runs = await QueuedAsync(storage, 2);

        Assert.True(await runs.SetStatusAsync("r-1", RunStatus.Running, Now.AddSeconds(1), null, storage.Token));
        Assert.True(await runs.SetStatusAsync("r-1", RunStatus.Failed, Now.AddSeconds(5), "exit code 1", storage.Token));
        Assert.False(await runs.SetStatusAsync("r-1", RunStatus.Completed, Now.AddSeconds(9), null, storage.Token));

        var failed = await runs.FindAsync("r-1", storage.Token);
        Assert.Equal((RunStatus.Failed, Now.AddSeconds(1), Now.AddSeconds(5), "exit code 1"), (failed!.Status, failed.StartedAt, failed.EndedAt, failed.Error));
        Assert.Equal(1, await runs.CountActiveAsync("ALICE", storage.Token));
        Assert.Equal(["r-2"], (await runs.ListByStatusAsync(RunStatus.Queued, storage.Token)).Select(r => r.RunId));
    }

    [Theory]
    [Providers]
    public async Task TryClaim_QueuedRunOnce_NotAfterCancel(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var runs = await QueuedAsync(storage, 2);

        Assert.True(await runs.TryClaimAsync("r-1", storage.Token));
        Assert.False(await runs.TryClaimAsync("r-1", storage.Token));
        Assert.Equal(RunStatus.Preparing, (await runs.FindAsync("r-1", storage.Token))!.Status);
        await runs.SetStatusAsync("r-2", RunStatus.Canceled, Now, "Canceled before it started.", storage.Token);
        Assert.False(await runs.TryClaimAsync("r-2", storage.Token));
        Assert.False(await runs.TryClaimAsync("no-such-run", storage.Token));
    }

    /// <summary>Two dispatchers (two nodes) walk the same queue at once: every run is claimed, none twice.</summary>
    [Theory]
    [Providers]
    public async Task TryClaim_TwoDispatchersOverOneQueue_EachRunGoesToExactlyOne(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var runs = await QueuedAsync(storage, 40);

        var claims = new ConcurrentBag<(int Dispatcher, string RunId)>();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(dispatcher => Task.Run(async () =>
        {
            foreach (var run in await runs.ListByStatusAsync(RunStatus.Queued, storage.Token))
            {
                if (await runs.TryClaimAsync(run.RunId, storage.Token))
                {
                    claims.Add((dispatcher, run.RunId));
                }
            }
        })));

        Assert.Equal(40, claims.Count);
        Assert.Equal(40, claims.Select(c => c.RunId).Distinct().Count());
        Assert.Empty(await runs.ListByStatusAsync(RunStatus.Queued, storage.Token));
        Assert.Equal(40, (await runs.ListByStatusAsync(RunStatus.Preparing, storage.Token)).Count);
    }

    /// <summary>Runs r-1 to r-n queued in one experiment, oldest first.</summary>
    private static async Task<IRunStore> QueuedAsync(TestStorage storage, int count)
    {
        var runs = storage.Get<IRunStore>();
        var experiment = await runs.GetOrAddExperimentAsync("rg", "ws", "train", Now, storage.Token);
        for (var i = 1; i <= count; i++)
        {
            await runs.AddAsync(Run($"r-{i}", experiment) with { CreatedAt = Now.AddSeconds(i) }, int.MaxValue, storage.Token);
        }

        return runs;
    }

    private static Run Run(string id, Experiment experiment) =>
        new(id, experiment, 0, RunStatus.Queued, "local", "train.py", ["--epochs", "3"], "{\"framework\":\"Python\"}", 600, $"/runs/{id}", Now, null, null, null, "alice");
}
