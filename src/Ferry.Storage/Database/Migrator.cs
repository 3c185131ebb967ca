using System.Data.Common;
using System.Reflection;
using Dapper;
using Ferry.Storage.Secrets;
using Microsoft.Extensions.Logging;

namespace Ferry.Storage.Database;

/// <summary>
/// Brings the schema up to date at start-up from the versioned scripts embedded under
/// <c>Migrations/{provider}/NNNN_name.sql</c>, all pending ones in one write transaction, so a crash
/// leaves the schema at the old version or the new one, never between. The write transaction holds
/// the database's write lock (on PostgreSQL an advisory lock), so of two nodes starting at once one
/// migrates and the other finds the work done.
/// </summary>
public sealed partial class Migrator(FerryDatabase database, EndpointKeyProtector endpointKeys, TimeProvider time, ILogger<Migrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await database.PrepareAsync(connection, cancellationToken);

        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);",
            transaction: transaction,
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT version FROM schema_migrations;", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();

        foreach (var script in Scripts(database.Provider).Where(s => !applied.Contains(s.Version)))
        {
            await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt);",
                new { script.Version, script.Name, AppliedAt = Timestamps.Format(time.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken));
            LogApplied(logger, script.Version, script.Name);
        }

        // Data the scripts cannot convert: endpoint keys stored in plain text before they were encrypted.
        if (await endpointKeys.ProtectPlaintextKeysAsync(connection, transaction, cancellationToken) is > 0 and var protectedCount)
        {
            LogProtectedKeys(logger, protectedCount);
        }

        // Under the lock, so nodes starting together on an empty shared key ring do not each create a key of their own.
        endpointKeys.EnsureKey();
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The first connection of the process: a server that cannot be reached stops start-up with a message that says where it looked.</summary>
    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await database.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"Ferry cannot open its {database.Provider} database at {database.Location}: {ex.Message}", ex);
        }
    }

    internal static IReadOnlyList<MigrationScript> Scripts(StorageProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{provider}.";
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, n[prefix.Length..^".sql".Length]))
            .OrderBy(s => s.Version)];
    }

    private static MigrationScript Load(Assembly assembly, string resource, string fileName)
    {
        // Embedded resource names of files starting with a digit get a leading underscore.
        var name = fileName.TrimStart('_');
        var version = long.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new MigrationScript(version, name, reader.ReadToEnd());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Encrypted the keys of {Count} online endpoints stored in plain text")]
    private static partial void LogProtectedKeys(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, long version, string name);
}
