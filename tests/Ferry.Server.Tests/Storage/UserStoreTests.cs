using Ferry.Core.Auth;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

public sealed class UserStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task TryAdd_NameTakenInAnyCase_IsRefused_FindIgnoresCase(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var users = storage.Get<IUserStore>();
        Assert.True(await users.TryAddAsync(new User("u1", "Alice", "hash-1", Role.Contributor, Now), storage.Token));
        Assert.False(await users.TryAddAsync(new User("u2", "ALICE", "hash-2", Role.Reader, Now), storage.Token));

        var found = await users.FindByNameAsync("alice", storage.Token);
        Assert.Equal(new User("u1", "Alice", "hash-1", Role.Contributor, Now), found);
        Assert.Equal(found, await users.FindByIdAsync("u1", storage.Token));
        Assert.Null(await users.FindByIdAsync("u2", storage.Token));
    }

    [Theory]
    [Providers]
    public async Task List_IsOrderedByName_RoleAndRemoveChangeOneUser(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var users = storage.Get<IUserStore>();
        foreach (var name in new[] { "carol", "alice", "bob" })
        {
            await users.TryAddAsync(new User($"id-{name}", name, "hash", Role.Reader, Now), storage.Token);
        }

        Assert.Equal(["alice", "bob", "carol"], (await users.ListAsync(storage.Token)).Select(u => u.Name));
        Assert.True(await users.SetRoleAsync("BOB", Role.Owner, storage.Token));
        Assert.False(await users.SetRoleAsync("dave", Role.Owner, storage.Token));
        Assert.Equal(Role.Owner, (await users.FindByNameAsync("bob", storage.Token))!.Role);

        Assert.True(await users.RemoveAsync("carol", storage.Token));
        Assert.False(await users.RemoveAsync("carol", storage.Token));
        Assert.Equal(["alice", "bob"], (await users.ListAsync(storage.Token)).Select(u => u.Name));
    }

    [Theory]
    [Providers]
    public async Task SetPasswordHash_RevokesEveryOpenLogin_RemoveTakesLoginsAlong(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var users = storage.Get<IUserStore>();
        var logins = storage.Get<ILoginSessionStore>();
        await users.TryAddAsync(new User("u1", "alice", "old", Role.Reader, Now), storage.Token);
        await logins.AddAsync(new LoginSession("l1", "u1", "token-1", Now, Now, null), storage.Token);
        await logins.AddAsync(new LoginSession("l2", "u1", "token-2", Now, Now, Now.AddMinutes(-5)), storage.Token);

        Assert.True(await users.SetPasswordHashAsync("alice", "new", Now.AddHours(1), storage.Token));
        Assert.Equal("new", (await users.FindByNameAsync("alice", storage.Token))!.PasswordHash);
        Assert.Equal(Now.AddHours(1), (await logins.FindAsync("l1", storage.Token))!.RevokedAt);
        Assert.Equal(Now.AddMinutes(-5), (await logins.FindAsync("l2", storage.Token))!.RevokedAt);
        Assert.False(await users.SetPasswordHashAsync("nobody", "x", Now, storage.Token));

        Assert.True(await users.RemoveAsync("alice", storage.Token));
        Assert.Null(await logins.FindAsync("l1", storage.Token));
    }
}
