namespace Ferry.Server.Tests.Infrastructure;

/// <summary>The tests that need PostgreSQL: one cluster for all of them, started before the first and stopped after the last.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
