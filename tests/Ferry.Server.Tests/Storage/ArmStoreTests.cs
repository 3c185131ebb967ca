using System.Text.Json.Nodes;
using Ferry.Core.Arm;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Database;

namespace Ferry.Server.Tests.Storage;

/// <summary>Resource groups, workspaces, computes and long-running operations.</summary>
public sealed class ArmStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task ResourceGroups_UpsertSaysCreated_UpdatesTagsOnly_ListPerSubscription(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var groups = storage.Get<IResourceGroupStore>();
        Assert.True(await groups.UpsertAsync(Group("sub-1", "rg-b"), storage.Token));
        Assert.True(await groups.UpsertAsync(Group("sub-1", "rg-a"), storage.Token));
        Assert.True(await groups.UpsertAsync(Group("sub-2", "rg-c"), storage.Token));
        Assert.False(await groups.UpsertAsync(Group("sub-1", "RG-A") with { Location = "eastus", Tags = new Dictionary<string, string> { ["team"] = "ml" } }, storage.Token));

        var updated = await groups.FindAsync("rg-A", storage.Token);
        Assert.Equal(("rg-a", "westus2", "ml"), (updated!.Name, updated.Location, updated.Tags["team"]));
        Assert.Equal(["rg-a", "rg-b"], (await groups.ListAsync("SUB-1", storage.Token)).Select(g => g.Name));
        Assert.True(await groups.DeleteAsync("RG-B", storage.Token));
        Assert.False(await groups.DeleteAsync("rg-b", storage.Token));
    }

    [Theory]
    [Providers]
    public async Task Workspaces_UpsertAndList_DeletedWithTheirGroup_ComputesWithTheirWorkspace(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var groups = storage.Get<IResourceGroupStore>();
        var workspaces = storage.Get<IWorkspaceStore>();
        var computes = storage.Get<IComputeStore>();
        await groups.UpsertAsync(Group("sub-1", "rg-1"), storage.Token);
        await groups.UpsertAsync(Group("sub-1", "rg-2"), storage.Token);
        Assert.True(await workspaces.UpsertAsync(Workspace("rg-1", "ws-b"), storage.Token));
        Assert.True(await workspaces.UpsertAsync(Workspace("rg-1", "ws-a"), storage.Token));
        Assert.True(await workspaces.UpsertAsync(Workspace("rg-2", "ws-c"), storage.Token));
        Assert.False(await workspaces.UpsertAsync(Workspace("RG-1", "WS-A") with { FriendlyName = "Renamed", ProvisioningState = "Updating" }, storage.Token));

        var found = await workspaces.FindAsync("rg-1", "ws-a", storage.Token);
        Assert.Equal(("ws-a", "Renamed", "Updating", "id-ws-a"), (found!.Name, found.FriendlyName, found.ProvisioningState, found.WorkspaceId));
        Assert.Equal(["ws-a", "ws-b"], (await workspaces.ListAsync("rg-1", storage.Token)).Select(w => w.Name));
        Assert.Equal(["ws-a", "ws-b", "ws-c"], (await workspaces.ListAsync(null, storage.Token)).Select(w => w.Name));

        await computes.UpsertAsync(Compute("rg-1", "ws-a", "gpu"), storage.Token);
        await computes.UpsertAsync(Compute("rg-1", "ws-a", "cpu"), storage.Token);
        await computes.UpsertAsync(Compute("RG-1", "WS-A", "CPU") with { Description = "changed", Properties = new JsonObject { ["vmSize"] = "large" } }, storage.Token);
        var cpu = await computes.FindAsync("rg-1", "ws-a", "cpu", storage.Token);
        Assert.Equal(("cpu", "changed", "large"), (cpu!.Name, cpu.Description, cpu.Properties["vmSize"]!.GetValue<string>()));
        Assert.Equal(["cpu", "gpu"], (await computes.ListAsync("rg-1", "ws-a", storage.Token)).Select(c => c.Name));
        Assert.True(await computes.DeleteAsync("rg-1", "ws-a", "gpu", storage.Token));

        Assert.True(await workspaces.DeleteAsync("rg-1", "ws-a", storage.Token));
        Assert.Empty(await computes.ListAsync("rg-1", "ws-a", storage.Token));
        Assert.True(await groups.DeleteAsync("rg-1", storage.Token));
        Assert.Equal(["ws-c"], (await workspaces.ListAsync(null, storage.Token)).Select(w => w.Name));
    }

    [Theory]
    [Providers]
    public async Task ArmOperations_CompleteOne_FailUnfinishedLeavesFinishedOnes(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var operations = storage.Get<IArmOperationStore>();
        await operations.AddAsync(new ArmOperation("op-1", "/ws/1", ArmOperationStatus.InProgress, Now, null, null), storage.Token);
        await operations.AddAsync(new ArmOperation("op-2", "/ws/2", ArmOperationStatus.InProgress, Now, null, null), storage.Token);

        await operations.CompleteAsync("op-1", "Succeeded", null, Now.AddSeconds(5), storage.Token);
        await operations.FailUnfinishedAsync("restarted", Now.AddSeconds(9), storage.Token);

        Assert.Equal(new ArmOperation("op-1", "/ws/1", "Succeeded", Now, Now.AddSeconds(5), null), await operations.FindAsync("op-1", storage.Token));
        Assert.Equal(new ArmOperation("op-2", "/ws/2", "Failed", Now, Now.AddSeconds(9), "restarted"), await operations.FindAsync("op-2", storage.Token));
        Assert.Null(await operations.FindAsync("op-3", storage.Token));
    }

    [Fact]
    public async Task ArmOperations_OnPostgres_FailUnfinishedSparesTheOperationsOfNodesStillConnected()
    {
        var settings = await TestStorage.SettingsAsync(StorageProvider.Postgres, Cluster);
        await using var running = TestStorage.Open(settings);
        await running.Get<Migrator>().MigrateAsync(running.Token);
        await using var starting = TestStorage.Open(settings);
        await running.Get<IArmOperationStore>().AddAsync(new ArmOperation("op-live", "/ws/1", ArmOperationStatus.InProgress, Now, null, null), running.Token);

        var presence = await PresenceLock.HoldAsync(settings, running);
        await starting.Get<IArmOperationStore>().FailUnfinishedAsync("restarted", Now.AddSeconds(9), starting.Token);
        Assert.Equal(ArmOperationStatus.InProgress, (await starting.Get<IArmOperationStore>().FindAsync("op-live", starting.Token))!.Status);

        await presence.DisposeAsync(); // the running node is gone
        await starting.Get<IArmOperationStore>().FailUnfinishedAsync("restarted", Now.AddSeconds(9), starting.Token);
        Assert.Equal(new ArmOperation("op-live", "/ws/1", "Failed", Now, Now.AddSeconds(9), "restarted"), await starting.Get<IArmOperationStore>().FindAsync("op-live", starting.Token));
    }

    private static ResourceGroup Group(string subscription, string name) => new(subscription, name, "westus2", new Dictionary<string, string>(), Now);

    private static Workspace Workspace(string group, string name) =>
        new(group, name, "westus2", $"id-{name}", name, "a workspace", "Basic", new Dictionary<string, string> { ["k"] = "v" }, Now, "Succeeded");

    private static Compute Compute(string group, string workspace, string name) =>
        new(group, workspace, name, "westus2", "AmlCompute", "", new JsonObject { ["vmSize"] = "small" }, "Succeeded", Now, Now);
}
