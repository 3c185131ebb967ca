namespace Ferry.Storage.Database;

internal sealed record MigrationScript(long Version, string Name, string Sql);
