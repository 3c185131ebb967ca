using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Storage;

/// <summary>
/// The storage layer as the server registers it (<c>AddFerryStorage</c>), migrated, over a fresh
/// SQLite file or a fresh PostgreSQL database: the same store tests run on both.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly CancellationTokenSource timeout = new(TimeSpan.FromMinutes(1));

    private TestStorage(ServiceProvider services, string dataDirectory)
    {
        this.services = services;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>Cancels a store call that hangs, instead of the test run.</summary>
    public CancellationToken Token => timeout.Token;

    public static async Task<TestStorage> CreateAsync(StorageProvider provider, PostgresCluster cluster)
    {
        var settings = await SettingsAsync(provider, cluster);
        var storage = Open(settings);
        await storage.Get<Migrator>().MigrateAsync(CancellationToken.None);
        return storage;
    }

    /// <summary>The configuration of a fresh data directory and database of the provider.</summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(StorageProvider provider, PostgresCluster cluster) => new()
    {
        [StorageOptions.DataDirectoryKey] = TestDirectory.Create(),
        [$"{DatabaseOptions.Section}:Provider"] = provider.ToString(),
        [$"{DatabaseOptions.Section}:ConnectionString"] = provider == StorageProvider.Postgres ? await cluster.CreateDatabaseAsync() : null,
    };

    /// <summary>The storage registrations over these settings, not yet migrated.</summary>
    public static TestStorage Open(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddSingleton(TimeProvider.System);
        collection.AddLogging();
        collection.AddFerryStorage();
        return new TestStorage(collection.BuildServiceProvider(), settings[StorageOptions.DataDirectoryKey]!);
    }

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    /// <summary>A file staged into the blob store, as an upload would be; its hash and size.</summary>
    public async Task<(string Hash, long Size)> StageBlobAsync(string content)
    {
        var file = Path.Combine(DataDirectory, $"upload-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, content);
        return await Get<Ferry.Core.Snapshots.IBlobStore>().StageAsync(file, Token);
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        timeout.Dispose();
        TestDirectory.TryDelete(DataDirectory);
    }
}
