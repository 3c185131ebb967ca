using System.Text.Json.Nodes;
using Ferry.Core.Arm;
using Ferry.Core.Models;
using Ferry.Core.OnlineEndpoints;
using Ferry.Core.Runs;
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
    public async Task DeletedWorkspace_TakesWhatIsNamedUnderIt_RunsModelsCodesEndpoints_OthersStay_AndItsGroupsDeleteCascades(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var groups = storage.Get<IResourceGroupStore>();
        var workspaces = storage.Get<IWorkspaceStore>();
        var runs = storage.Get<IRunStore>();
        var models = storage.Get<IModelStore>();
        var codes = storage.Get<ICodeVersionStore>();
        var endpoints = storage.Get<IOnlineEndpointStore>();
        await groups.UpsertAsync(Group("sub-1", "rg-1"), storage.Token);
        foreach (var name in (string[])["ws-a", "ws-b"])
        {
            await workspaces.UpsertAsync(Workspace("rg-1", name), storage.Token);
            var experiment = await runs.GetOrAddExperimentAsync("rg-1", name, "train", Now, storage.Token);
            await runs.AddAsync(new Run($"run-{name}", experiment, 0, RunStatus.Completed, "local", "train.py", [], "{}", null, "/runs", Now, null, null, null, "alice"), 10, storage.Token);
            await models.AddAsync(new Model("rg-1", name, "iris", 0, "aml://artifacts/m.pkl", "application/octet-stream", null, null, null, new Dictionary<string, string>(), new Dictionary<string, string>(), null, Now, Now), storage.Token);
            await codes.UpsertAsync(new CodeVersion("rg-1", name, "score", "1", "LocalUpload/a", null, Now), storage.Token);
            await endpoints.UpsertAsync(new OnlineEndpoint("rg-1", name, "ep", "westus2", null, "Key", "p", "s", new Dictionary<string, int>(), "Succeeded", Now), storage.Token);
            await endpoints.UpsertDeploymentAsync(new OnlineDeployment("rg-1", name, "ep", "blue", "iris:1", "score:1", "score.py", 1, null, "Succeeded", Now), storage.Token);
        }

        Assert.True(await workspaces.DeleteAsync("RG-1", "WS-A", storage.Token));
        await workspaces.UpsertAsync(Workspace("rg-1", "ws-a") with { WorkspaceId = "id-ws-a-again" }, storage.Token); // the same names again inherit nothing
        Assert.Empty(await runs.ListExperimentsAsync("rg-1", "ws-a", storage.Token));
        Assert.Null(await runs.FindAsync("run-ws-a", storage.Token));
        Assert.Empty(await models.ListAsync("rg-1", "ws-a", storage.Token));
        Assert.Null(await codes.FindAsync("rg-1", "ws-a", "score", "1", storage.Token));
        Assert.Empty(await endpoints.ListAsync("rg-1", "ws-a", storage.Token));
        Assert.Empty(await endpoints.ListDeploymentsAsync("rg-1", "ws-a", "ep", storage.Token));

        Assert.NotNull(await runs.FindAsync("run-ws-b", storage.Token));
        Assert.Single(await models.ListAsync("rg-1", "ws-b", storage.Token));
        Assert.Single(await endpoints.ListDeploymentsAsync("rg-1", "ws-b", "ep", storage.Token));

        Assert.True(await groups.DeleteAsync("rg-1", storage.Token));
        Assert.Null(await runs.FindAsync("run-ws-b", storage.Token));
        Assert.Empty(await models.ListAsync("rg-1", "ws-b", storage.Token));
        Assert.Null(await codes.FindAsync("rg-1", "ws-b", "score", "1", storage.Token));
        Assert.Empty(await endpoints.ListAsync("rg-1", "ws-b", storage.Token));
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
