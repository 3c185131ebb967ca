using Ferry.Core.Auth;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

public sealed class LoginSessionStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Rotate_OnlyFromTheCurrentHash_RetiresTheOldOne(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var logins = await WithLoginAsync(storage);

        Assert.True(await logins.RotateAsync("l1", "hash-1", "hash-2", Now.AddMinutes(1), storage.Token));
        Assert.False(await logins.RotateAsync("l1", "hash-1", "hash-3", Now.AddMinutes(2), storage.Token));

        var login = await logins.FindByRefreshTokenHashAsync("hash-2", storage.Token);
        Assert.Equal(new LoginSession("l1", "u1", "hash-2", Now, Now.AddMinutes(1), null), login);
        Assert.Null(await logins.FindByRefreshTokenHashAsync("hash-1", storage.Token));
        Assert.Equal("l1", await logins.FindByRetiredRefreshTokenHashAsync("hash-1", storage.Token));
        Assert.Null(await logins.FindByRetiredRefreshTokenHashAsync("hash-2", storage.Token));
    }

    [Theory]
    [Providers]
    public async Task Revoke_KeepsTheFirstTime_AndEndsRotation(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var logins = await WithLoginAsync(storage);

        await logins.RevokeAsync("l1", Now.AddMinutes(3), storage.Token);
        await logins.RevokeAsync("l1", Now.AddMinutes(9), storage.Token);

        Assert.Equal(Now.AddMinutes(3), (await logins.FindAsync("l1", storage.Token))!.RevokedAt);
        Assert.False(await logins.RotateAsync("l1", "hash-1", "hash-2", Now.AddMinutes(10), storage.Token));
    }

    [Theory]
    [Providers]
    public async Task ConcurrentRotations_FromOneToken_ExactlyOneWins(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var logins = await WithLoginAsync(storage);

        var rotations = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => logins.RotateAsync("l1", "hash-1", $"next-{i}", Now.AddSeconds(i), storage.Token))));

        Assert.Single(rotations, won => won);
    }

    private static async Task<ILoginSessionStore> WithLoginAsync(TestStorage storage)
    {
        await storage.Get<IUserStore>().TryAddAsync(new User("u1", "alice", "hash", Role.Reader, Now), storage.Token);
        var logins = storage.Get<ILoginSessionStore>();
        await logins.AddAsync(new LoginSession("l1", "u1", "hash-1", Now, Now, null), storage.Token);
        return logins;
    }
}
