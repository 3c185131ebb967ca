using Ferry.Core.Access;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

/// <summary>Subscriptions, role assignments, service principals and settings.</summary>
public sealed class AccessStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Subscriptions_AddTwiceKeepsTheFirst_FindIgnoresCase_ListInCreationOrder(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var subscriptions = storage.Get<ISubscriptionStore>();
        await subscriptions.AddAsync(new Subscription("sub-b", "Second", Now.AddMinutes(1)), storage.Token);
        await subscriptions.AddAsync(new Subscription("sub-a", "First", Now), storage.Token);
        await subscriptions.AddAsync(new Subscription("SUB-A", "Again", Now.AddMinutes(2)), storage.Token);

        Assert.Equal(new Subscription("sub-a", "First", Now), await subscriptions.FindAsync("Sub-A", storage.Token));
        Assert.Equal(["sub-a", "sub-b"], (await subscriptions.ListAsync(storage.Token)).Select(s => s.SubscriptionId));
    }

    [Theory]
    [Providers]
    public async Task RoleAssignments_UpsertChangesTheRole_ListFilters_RemovedUserLosesThem(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        await storage.Get<ISubscriptionStore>().AddAsync(new Subscription("sub-1", "One", Now), storage.Token);
        await storage.Get<ISubscriptionStore>().AddAsync(new Subscription("sub-2", "Two", Now), storage.Token);
        await storage.Get<IUserStore>().TryAddAsync(new User("u1", "alice", "hash", Role.Reader, Now), storage.Token);
        var roles = storage.Get<IRoleAssignmentStore>();
        await roles.UpsertAsync(new RoleAssignment(PrincipalKind.User, "alice", "alice", "sub-1", Role.Reader, Now), storage.Token);
        await roles.UpsertAsync(new RoleAssignment(PrincipalKind.User, "ALICE", "Alice", "SUB-1", Role.Contributor, Now.AddHours(1)), storage.Token);
        await roles.UpsertAsync(new RoleAssignment(PrincipalKind.User, "alice", "alice", "sub-2", Role.Owner, Now), storage.Token);
        await roles.UpsertAsync(new RoleAssignment(PrincipalKind.ServicePrincipal, "client-1", "ci", "sub-1", Role.Reader, Now), storage.Token);

        Assert.Equal(new RoleAssignment(PrincipalKind.User, "alice", "Alice", "sub-1", Role.Contributor, Now), await roles.FindAsync(PrincipalKind.User, "alice", "sub-1", storage.Token));
        Assert.Equal(3, (await roles.ListAsync(null, null, null, storage.Token)).Count);
        Assert.Equal(["sub-1", "sub-2"], (await roles.ListAsync(PrincipalKind.User, "alice", null, storage.Token)).Select(r => r.SubscriptionId));
        Assert.Equal(["ci", "Alice"], (await roles.ListAsync(null, null, "sub-1", storage.Token)).Select(r => r.PrincipalName));

        Assert.True(await roles.RemoveAsync(PrincipalKind.ServicePrincipal, "client-1", "sub-1", storage.Token));
        Assert.False(await roles.RemoveAsync(PrincipalKind.ServicePrincipal, "client-1", "sub-1", storage.Token));
        await storage.Get<IUserStore>().RemoveAsync("alice", storage.Token);
        Assert.Empty(await roles.ListAsync(null, null, null, storage.Token));
    }

    [Theory]
    [Providers]
    public async Task ServicePrincipals_NameIsUnique_RemoveByIdOrName_TakesAssignmentsAlong(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var principals = storage.Get<IServicePrincipalStore>();
        Assert.True(await principals.TryAddAsync(new ServicePrincipal("client-1", "ci", "secret", Now), storage.Token));
        Assert.False(await principals.TryAddAsync(new ServicePrincipal("client-2", "CI", "secret", Now), storage.Token));
        Assert.True(await principals.TryAddAsync(new ServicePrincipal("client-3", "batch", "secret", Now), storage.Token));
        await storage.Get<ISubscriptionStore>().AddAsync(new Subscription("sub-1", "One", Now), storage.Token);
        await storage.Get<IRoleAssignmentStore>().UpsertAsync(new RoleAssignment(PrincipalKind.ServicePrincipal, "client-1", "ci", "sub-1", Role.Reader, Now), storage.Token);

        Assert.Equal(new ServicePrincipal("client-1", "ci", "secret", Now), await principals.FindAsync("client-1", storage.Token));
        Assert.Equal(["batch", "ci"], (await principals.ListAsync(storage.Token)).Select(p => p.Name));
        Assert.True(await principals.RemoveAsync("ci", storage.Token));
        Assert.True(await principals.RemoveAsync("client-3", storage.Token));
        Assert.Empty(await principals.ListAsync(storage.Token));
        Assert.Empty(await storage.Get<IRoleAssignmentStore>().ListAsync(null, null, null, storage.Token));
    }

    [Theory]
    [Providers]
    public async Task Settings_ConcurrentGetOrAdd_AllSeeTheOneValueStored(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var settings = storage.Get<ISettingsStore>();

        var values = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => settings.GetOrAddAsync("tenantId", () => $"tenant-{i}", storage.Token))));

        Assert.Single(values.Distinct());
        Assert.Equal(values[0], await settings.GetOrAddAsync("tenantId", () => "another", storage.Token));
    }
}
