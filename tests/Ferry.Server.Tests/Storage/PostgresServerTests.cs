using System.Net;
using System.Net.Sockets;
using Ferry.Core.Users;
using Ferry.Server.Tests.AzureMl;
using Ferry.Server.Tests.EndToEnd;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Storage;

/// <summary>The server on PostgreSQL: status, logins, a run claimed from the queue, the seed walk through <c>ferry serve</c>, and bad settings.</summary>
[Collection(PostgresTestGroup.Name)]
public sealed class PostgresServerTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Status_ReportsPostgres_UsersAndLoginsWork()
    {
        await using var factory = await FerryFactory.OnPostgresAsync(cluster);
        var user = await factory.AddUserAsync(Role.Contributor);
        using var client = await factory.LoggedInClientAsync(user, "user-Passw0rd!");

        using var status = await client.GetAsync("/status");
        var database = (await HttpAssert.OkJsonAsync(status)).GetProperty("components").GetProperty("database");
        Assert.Equal("postgres", database.GetProperty("details").GetProperty("type").GetString());
        Assert.Equal(1, database.GetProperty("details").GetProperty("schemaVersion").GetInt64());
        Assert.Equal("pass", database.GetProperty("statusCode").GetString());
    }

    [Fact]
    public async Task HelloRun_IsClaimedFromTheQueueAndCompletes()
    {
        await using var factory = await FerryFactory.OnPostgresAsync(cluster);
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);

        var runId = await RunTests.StartAsync(client, workspace, "hello-exp", ("hello.py", "print('Hello from PostgreSQL')"), """{"configuration":{"script":"hello.py","target":"local"}}""");
        var run = await RunTests.WaitAsync(client, workspace, "hello-exp", runId);

        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("runNumber").GetInt32());
    }

    [Fact]
    public async Task SeedWalk_OnPostgres_SurvivesRestart()
    {
        var dataDirectory = TestDirectory.Create();
        try
        {
            await SeedWorkflowTests.WalkAsync(dataDirectory, "--Ferry:Storage:Provider=Postgres", $"--Ferry:Storage:ConnectionString={await cluster.CreateDatabaseAsync()}");
        }
        finally
        {
            TestDirectory.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task Start_PostgresWithoutConnectionString_FailsNamingTheSetting()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Storage:Provider"] = "Postgres" });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("ConnectionString", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnreachableServer_FailsSayingWhere()
    {
        var port = UnusedPort();
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
        {
            ["Ferry:Storage:Provider"] = "Postgres",
            ["Ferry:Storage:ConnectionString"] = $"Host=127.0.0.1;Port={port};Username=ferry;Database=ferry;Timeout=5",
        });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains($"cannot open its Postgres database at 127.0.0.1:{port}/ferry", failure.Message, StringComparison.Ordinal);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
