using Ferry.Core.Sessions;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Database;

namespace Ferry.Server.Tests.Storage;

public sealed class SessionPlacementStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task TryAdd_RacingPastTheOwnersLimit_AddsOnlyUpToIt_PerOwner(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var placements = storage.Get<ISessionPlacementStore>();

        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => placements.TryAddAsync(Placement($"s-{i}", "alice"), 3, storage.Token))));

        Assert.Equal(3, added.Count(a => a));
        Assert.True(await placements.TryAddAsync(Placement("s-bob", "bob"), 3, storage.Token));
        Assert.Equal(Placement("s-bob", "bob"), await placements.FindAsync("s-bob", storage.Token));
        var alices = Enumerable.Range(0, 8).Where(i => added[i]).Select(i => $"s-{i}").ToList();
        await placements.RemoveAsync(alices[0], storage.Token);
        Assert.Null(await placements.FindAsync(alices[0], storage.Token));
        Assert.True(await placements.TryAddAsync(Placement("s-again", "alice"), 3, storage.Token)); // a closed session frees its place
    }

    /// <summary>SQLite has one node: the sessions an earlier process recorded are gone with it.</summary>
    [Fact]
    public async Task TryAdd_OnSqlite_DoesNotCountTheSessionsOfAnEarlierProcess_SweepForgetsThemLater()
    {
        var settings = await TestStorage.SettingsAsync(StorageProvider.Sqlite, Cluster);
        await using var before = TestStorage.Open(settings);
        await before.Get<Migrator>().MigrateAsync(before.Token);
        Assert.True(await before.Get<ISessionPlacementStore>().TryAddAsync(Placement("s-old", "alice"), 1, before.Token));
        await using var now = TestStorage.Open(settings);
        var placements = now.Get<ISessionPlacementStore>();

        Assert.True(await placements.TryAddAsync(Placement("s-new", "alice"), 1, now.Token));
        Assert.False(await placements.TryAddAsync(Placement("s-more", "alice"), 1, now.Token));
        await SweepForgetsOnlyTheGoneAfterAWhileAsync(placements, "s-old", "s-new", now.Token);
    }

    [Fact]
    public async Task TryAdd_OnPostgres_CountsTheSessionsOfNodesThatLive_NotOfThoseGone_SweepForgetsTheGoneLater()
    {
        var settings = await TestStorage.SettingsAsync(StorageProvider.Postgres, Cluster);
        await using var mine = TestStorage.Open(settings);
        await mine.Get<Migrator>().MigrateAsync(mine.Token);
        await using var other = TestStorage.Open(settings);
        var placements = mine.Get<ISessionPlacementStore>();
        var presence = await PresenceLock.HoldAsync(settings, other);
        Assert.True(await other.Get<ISessionPlacementStore>().TryAddAsync(Placement("s-other", "alice"), 2, other.Token));
        Assert.True(await placements.TryAddAsync(Placement("s-mine", "alice"), 2, mine.Token));

        Assert.False(await placements.TryAddAsync(Placement("s-third", "alice"), 2, mine.Token)); // one on each node: at the limit
        Assert.Equal(0, await placements.SweepGoneAsync(Now, TimeSpan.FromHours(1), mine.Token));
        Assert.NotNull(await placements.FindAsync("s-other", mine.Token));

        // The other node loses its connection for a while (its lock with it) and takes its lock back: seen
        // gone meanwhile, its session is its own again, counted and kept.
        await presence.DisposeAsync();
        Assert.Equal(0, await placements.SweepGoneAsync(Now, TimeSpan.FromHours(1), mine.Token));
        presence = await PresenceLock.HoldAsync(settings, other);
        Assert.False(await placements.TryAddAsync(Placement("s-third", "alice"), 2, mine.Token));
        Assert.Equal(0, await placements.SweepGoneAsync(Now.AddHours(2), TimeSpan.FromHours(1), mine.Token));
        Assert.NotNull(await placements.FindAsync("s-other", mine.Token));

        await presence.DisposeAsync(); // the other node is gone
        await SweepForgetsOnlyTheGoneAfterAWhileAsync(placements, "s-other", "s-mine", mine.Token);
        Assert.True(await placements.TryAddAsync(Placement("s-third", "alice"), 2, mine.Token));
    }

    private static async Task SweepForgetsOnlyTheGoneAfterAWhileAsync(ISessionPlacementStore placements, string gone, string living, CancellationToken token)
    {
        Assert.Equal(0, await placements.SweepGoneAsync(Now, TimeSpan.FromHours(1), token)); // seen gone now: kept, so its session answers 410
        Assert.NotNull(await placements.FindAsync(gone, token));
        Assert.Equal(0, await placements.SweepGoneAsync(Now.AddMinutes(59), TimeSpan.FromHours(1), token));
        Assert.Equal(1, await placements.SweepGoneAsync(Now.AddMinutes(61), TimeSpan.FromHours(1), token));
        Assert.Null(await placements.FindAsync(gone, token));
        Assert.NotNull(await placements.FindAsync(living, token));
    }

    private static SessionPlacement Placement(string id, string owner) => new(id, owner, "http://127.0.0.1:5001/", "instance-1");
}
