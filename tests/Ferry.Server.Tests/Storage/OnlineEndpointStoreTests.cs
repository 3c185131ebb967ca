using Dapper;
using Ferry.Core.ComputeNodes;
using Ferry.Core.OnlineEndpoints;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Blobs;
using Ferry.Storage.Database;

namespace Ferry.Server.Tests.Storage;

/// <summary>Online endpoints with their encrypted keys and deployments, and the compute node list.</summary>
public sealed class OnlineEndpointStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Endpoints_KeysStoredEncrypted_UpsertRotatesKeys_StatesChange(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var endpoints = storage.Get<IOnlineEndpointStore>();
        await endpoints.UpsertAsync(Endpoint("score-b"), storage.Token);
        await endpoints.UpsertAsync(Endpoint("score-a"), storage.Token);
        var rotated = Endpoint("SCORE-A") with { PrimaryKey = "primary-2", Traffic = new Dictionary<string, int> { ["blue"] = 100 } };
        await endpoints.UpsertAsync(rotated, storage.Token);

        Assert.Equivalent(rotated with { Name = "score-a" }, await endpoints.FindAsync("rg", "ws", "score-a", storage.Token), strict: true);
        Assert.Equal(["score-a", "score-b"], (await endpoints.ListAsync("rg", "ws", storage.Token)).Select(e => e.Name));
        await using (var connection = await storage.Get<FerryDatabase>().OpenAsync(storage.Token))
        {
            var stored = await connection.QueryAsync<string>("SELECT primary_key FROM online_endpoints;");
            Assert.All(stored, key => Assert.StartsWith("dp1:", key, StringComparison.Ordinal));
        }

        Assert.True(await endpoints.SetStateAsync("rg", "ws", "score-a", "Updating", storage.Token));
        Assert.False(await endpoints.SetStateAsync("rg", "ws", "missing", "Updating", storage.Token));
        Assert.Equal("Updating", (await endpoints.FindAsync("rg", "ws", "score-a", storage.Token))!.ProvisioningState);
    }

    [Theory]
    [Providers]
    public async Task Deployments_ReplacingContentReleasesTheOld_DeletingTheEndpointTakesThemAlong(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var endpoints = storage.Get<IOnlineEndpointStore>();
        var blobs = storage.Get<BlobStore>();
        await endpoints.UpsertAsync(Endpoint("score"), storage.Token);
        var (first, _) = await storage.StageBlobAsync("content one");
        var (second, _) = await storage.StageBlobAsync("content two");
        await endpoints.UpsertDeploymentAsync(Deployment("green", first), storage.Token);
        await endpoints.UpsertDeploymentAsync(Deployment("blue", first), storage.Token);
        await endpoints.UpsertDeploymentAsync(Deployment("GREEN", second) with { InstanceCount = 3 }, storage.Token);

        var green = await endpoints.FindDeploymentAsync("rg", "ws", "score", "green", storage.Token);
        Assert.Equal(Deployment("green", second) with { InstanceCount = 3 }, green);
        Assert.Equal(["blue", "green"], (await endpoints.ListDeploymentsAsync("rg", "ws", "score", storage.Token)).Select(d => d.Name));
        Assert.True(await endpoints.SetDeploymentStateAsync("rg", "ws", "score", "blue", "Failed", storage.Token));

        Assert.True(await endpoints.DeleteDeploymentAsync("rg", "ws", "score", "blue", storage.Token));
        Assert.False(await endpoints.DeleteDeploymentAsync("rg", "ws", "score", "blue", storage.Token));
        Assert.False(File.Exists(blobs.PathOf(first)));
        Assert.True(await endpoints.DeleteAsync("rg", "ws", "score", storage.Token));
        Assert.False(File.Exists(blobs.PathOf(second)));
        Assert.Empty(await endpoints.ListDeploymentsAsync("rg", "ws", "score", storage.Token));
        Assert.False(await endpoints.DeleteAsync("rg", "ws", "score", storage.Token));
    }

    [Theory]
    [Providers]
    public async Task ComputeNodes_UpdateReplacesTheListInOrder(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var nodes = storage.Get<IComputeNodeStore>();
        await nodes.UpdateAsync(_ => ["http://b:12805", "http://a:12805"], storage.Token);
        await nodes.UpdateAsync(current => [.. current, "http://c:12805"], storage.Token);

        Assert.Equal(["http://b:12805", "http://a:12805", "http://c:12805"], await nodes.ListAsync(storage.Token));
        await nodes.UpdateAsync(_ => [], storage.Token);
        Assert.Empty(await nodes.ListAsync(storage.Token));
    }

    private static OnlineEndpoint Endpoint(string name) =>
        new("rg", "ws", name, "westus2", "scores iris", "Key", "primary-1", "secondary-1", new Dictionary<string, int> { ["green"] = 100 }, "Succeeded", Now);

    private static OnlineDeployment Deployment(string name, string hash) =>
        new("rg", "ws", "score", name, "iris:1", "score:1", "score.py", 1, hash, "Succeeded", Now);
}
