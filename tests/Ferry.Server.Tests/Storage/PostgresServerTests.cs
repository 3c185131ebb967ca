using System.Net;
using System.Net.Sockets;
using Ferry.Core.Users;
using System.Net.Http.Json;
using Ferry.Server.Tests.Batches;
using Ferry.Server.Tests.EndToEnd;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Storage;

/// <summary>The server on PostgreSQL: status, logins, a run claimed from the queue, a batch, the seed walk through <c>ferry serve</c>, and bad settings.</summary>
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
        Assert.Equal(5, database.GetProperty("details").GetProperty("schemaVersion").GetInt64());
        Assert.Equal("pass", database.GetProperty("statusCode").GetString());
    }

    [Fact]
    public async Task HelloRun_IsClaimedFromTheQueueAndCompletes()
    {
        await using var factory = await FerryFactory.OnPostgresAsync(cluster);
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);

        var runId = await ArmApi.StartRunAsync(client, workspace, "hello-exp", ("hello.py", "print('Hello from PostgreSQL')"), """{"configuration":{"script":"hello.py","target":"local"}}""");
        var run = await ArmApi.WaitForRunAsync(client, workspace, "hello-exp", runId);

        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("runNumber").GetInt32());
    }

    [Fact]
    public async Task Batch_RecordsStoredAndAnswered_OnPostgres()
    {
        await using var factory = await FerryFactory.OnPostgresAsync(cluster);
        using var client = await factory.LoggedInClientAsync();
        var (_, snapshot) = await IrisService.TrainAndSnapshotAsync(client);
        (await client.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(snapshot))).Dispose();
        double[][] rows = [[7, 3.2, 4.7, 1.4], [3, 2.6, 3, 2.5], [5.1, 3.5, 1.4, .2]];

        var id = await BatchApi.StartAsync(client, "Iris/V1.0", Enumerable.Range(0, 30).Select(i => new { flower_data = rows[i % 3] }), parallelCount: 2);
        var status = await BatchApi.CompleteAsync(client, "Iris/V1.0", id);

        Assert.Equal(("complete", 30), (status.State(), status.Completed()));
        var species = status.GetProperty("batchExecutionResults").EnumerateArray().Select(r => r.GetProperty("outputParameters").GetProperty("iris_species")[0].GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(_ => new[] { "I. versicolor", "I. virginica", "I. setosa" }), species);
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
