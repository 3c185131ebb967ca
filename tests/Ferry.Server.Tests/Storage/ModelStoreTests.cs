using Ferry.Core.Models;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

/// <summary>The model registry and code versions.</summary>
public sealed class ModelStoreTests(PostgresCluster cluster) : StoreTests(cluster)
{
    [Theory]
    [Providers]
    public async Task Models_NumberedPerName_EvenWhenAddedAtOnce_ListedByNameAndVersion(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var models = storage.Get<IModelStore>();

        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => models.AddAsync(Model("iris"), storage.Token))));
        await models.AddAsync(Model("digits"), storage.Token);
        await models.AddAsync(Model("iris") with { Workspace = "other" }, storage.Token);

        Assert.Equal([1, 2, 3, 4, 5, 6], added.Select(m => m.Version).Order());
        Assert.Equal(
            ["digits:1", "iris:1", "iris:2", "iris:3", "iris:4", "iris:5", "iris:6"],
            (await models.ListAsync("RG", "ws", storage.Token)).Select(m => m.Id));
        Assert.Equivalent(added.Single(m => m.Version == 2), await models.FindAsync("rg", "WS", "iris", 2, storage.Token), strict: true);
    }

    [Theory]
    [Providers]
    public async Task Models_UpdateChangesDescriptionAndTags_DeleteOneVersion(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var models = storage.Get<IModelStore>();
        var first = await models.AddAsync(Model("iris"), storage.Token);
        await models.AddAsync(Model("iris"), storage.Token);

        var updated = first with { Description = "better", KvTags = new Dictionary<string, string> { ["stage"] = "prod" }, ModifiedAt = Now.AddDays(1) };
        await models.UpdateAsync(updated, storage.Token);

        Assert.Equivalent(updated, await models.FindAsync("rg", "ws", "iris", 1, storage.Token), strict: true);
        Assert.True(await models.DeleteAsync("rg", "ws", "iris", 1, storage.Token));
        Assert.False(await models.DeleteAsync("rg", "ws", "iris", 1, storage.Token));
        Assert.Equal([2], (await models.ListAsync("rg", "ws", storage.Token)).Select(m => m.Version));
    }

    [Theory]
    [Providers]
    public async Task CodeVersions_UpsertSaysCreated_ThenReplacesPath(StorageProvider provider)
    {
        await using var storage = await StorageAsync(provider);
        var codes = storage.Get<ICodeVersionStore>();
        Assert.True(await codes.UpsertAsync(new CodeVersion("rg", "ws", "score", "1", "LocalUpload/a", null, Now), storage.Token));
        Assert.False(await codes.UpsertAsync(new CodeVersion("RG", "WS", "score", "1", "LocalUpload/b", "second", Now.AddDays(1)), storage.Token));

        Assert.Equal(new CodeVersion("rg", "ws", "score", "1", "LocalUpload/b", "second", Now), await codes.FindAsync("rg", "ws", "score", "1", storage.Token));
        Assert.Null(await codes.FindAsync("rg", "ws", "score", "2", storage.Token));
    }

    private static Model Model(string name) => new(
        "rg", "ws", name, 0, "aml://artifacts/model.pkl", "application/octet-stream", "ScikitLearn", "1.2", null,
        new Dictionary<string, string> { ["team"] = "ml" }, new Dictionary<string, string> { ["accuracy"] = "0.97" }, "run-1", Now, Now);
}
