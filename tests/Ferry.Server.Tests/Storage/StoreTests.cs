using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;

namespace Ferry.Server.Tests.Storage;

/// <summary>The base of the store tests: each theory runs on a fresh database of each provider (<see cref="ProvidersAttribute"/>).</summary>
[Collection(PostgresTestGroup.Name)]
public abstract class StoreTests(PostgresCluster cluster)
{
    protected static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    protected PostgresCluster Cluster => cluster;

    protected Task<TestStorage> StorageAsync(StorageProvider provider) => TestStorage.CreateAsync(provider, cluster);
}
