using System.Reflection;
using Ferry.Storage;
using Xunit.Sdk;

namespace Ferry.Server.Tests.Storage;

/// <summary>A theory's data: once on SQLite, once on PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StorageProvider.Sqlite], [StorageProvider.Postgres]];
}
