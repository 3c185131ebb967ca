using System.Data.Common;
using Dapper;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using Ferry.Storage.Database;

namespace Ferry.Server.Tests.Storage;

[Collection(PostgresTestGroup.Name)]
public sealed class MigratorTests(PostgresCluster cluster)
{
    /// <summary>Two nodes starting at once over one database: one applies each version, the other finds it done.</summary>
    [Theory]
    [Providers]
    public async Task Migrate_TwoNodesAtOnce_EachVersionAppliedOnce_AgainChangesNothing(StorageProvider provider)
    {
        var settings = await TestStorage.SettingsAsync(provider, cluster);
        await using var first = TestStorage.Open(settings);
        await using var second = TestStorage.Open(settings);

        await Task.WhenAll(
            Task.Run(() => first.Get<Migrator>().MigrateAsync(first.Token)),
            Task.Run(() => second.Get<Migrator>().MigrateAsync(second.Token)));
        var applied = await AppliedAsync(first);
        await second.Get<Migrator>().MigrateAsync(second.Token);

        var scripts = Directory.GetFiles(Path.Combine(FerryProcess.RepositoryRoot, "src/Ferry.Storage/Migrations", provider.ToString()), "*.sql");
        Assert.Equal(scripts.Length, applied.Count);
        Assert.Equal(applied.Count, applied.Distinct().Count());
        Assert.Equal(applied, await AppliedAsync(second));
    }

    /// <summary>A writer waits for another's write transaction as long as BusyTimeout says, on either database, and then fails instead of hanging.</summary>
    [Theory]
    [Providers]
    public async Task BeginWrite_WhileAnotherWriterHoldsTheLock_WaitsBusyTimeoutThenFails(StorageProvider provider)
    {
        var settings = await TestStorage.SettingsAsync(provider, cluster);
        settings["Ferry:BusyTimeout"] = "00:00:01";
        await using var storage = TestStorage.Open(settings);
        await storage.Get<Migrator>().MigrateAsync(storage.Token);
        var database = storage.Get<FerryDatabase>();
        await using var holder = await database.OpenAsync(storage.Token);
        await using var held = await database.BeginWriteAsync(holder, storage.Token);
        await using var waiter = await database.OpenAsync(storage.Token);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<DbException>(() => database.BeginWriteAsync(waiter, storage.Token));

        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await held.RollbackAsync(storage.Token);
        await using var next = await database.BeginWriteAsync(waiter, storage.Token);
    }

    /// <summary>What the error pipeline answers with 409 is recognised alike on both providers.</summary>
    [Theory]
    [Providers]
    public async Task DuplicateKey_IsAUniqueViolationOnEitherProvider_AMissingReferenceIsNot(StorageProvider provider)
    {
        await using var storage = await TestStorage.CreateAsync(provider, cluster);
        await using var connection = await storage.Get<FerryDatabase>().OpenAsync(storage.Token);
        const string insert = "INSERT INTO users (id, name, password_hash, role, created_at) VALUES (@id, @name, 'h', 'Reader', '2026-12-01T08:00:00.0000000Z');";
        await connection.ExecuteAsync(insert, new { id = "u1", name = "alice" });

        var duplicate = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(insert, new { id = "u2", name = "ALICE" }));
        var dangling = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(
            "INSERT INTO login_sessions (id, user_id, refresh_token_hash, created_at, last_used_at) VALUES ('l1', 'nobody', 'h', 't', 't');"));

        Assert.True(DatabaseErrors.IsUniqueViolation(duplicate));
        Assert.False(DatabaseErrors.IsUniqueViolation(dangling));
    }

    private static async Task<List<long>> AppliedAsync(TestStorage storage)
    {
        await using var connection = await storage.Get<FerryDatabase>().OpenAsync(storage.Token);
        return [.. await connection.QueryAsync<long>(new CommandDefinition("SELECT version FROM schema_migrations ORDER BY version;", cancellationToken: storage.Token))];
    }
}
