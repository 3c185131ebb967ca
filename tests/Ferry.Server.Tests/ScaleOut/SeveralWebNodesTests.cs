using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.ScaleOut;

/// <summary>
/// Two real <c>ferry serve</c> processes on one PostgreSQL database and one data directory, each with
/// its own node directory, started at the same moment. The revocation cache lives ten minutes here,
/// so whatever node B sees of node A's changes within seconds came by a change notice.
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed partial class SeveralWebNodesTests(PostgresCluster cluster) : IDisposable
{
    private const string AdminPassword = "secret-password";
    private readonly string dataDirectory = TestDirectory.Create();
    private readonly string nodeA = TestDirectory.Create();
    private readonly string nodeB = TestDirectory.Create();

    public void Dispose()
    {
        foreach (var directory in new[] { dataDirectory, nodeA, nodeB })
        {
            TestDirectory.TryDelete(directory);
        }
    }

    [Fact]
    public async Task TwoNodes_ShareTokensServicesRolesRevocationsRunsAndEndpointKeys()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        string[] Settings(string node) =>
            ["--Ferry:Storage:Provider=Postgres", $"--Ferry:Storage:ConnectionString={connectionString}", $"--Ferry:NodeDirectory={node}", "--Ferry:Auth:RevocationCacheLifetime=00:10:00"];
        var starting = new[] { FerryProcess.ServeAsync(dataDirectory, AdminPassword, Settings(nodeA)), FerryProcess.ServeAsync(dataDirectory, AdminPassword, Settings(nodeB)) };
        await using var a = await starting[0];
        await using var b = await starting[1];
        var admin = new Dictionary<string, string> { ["Ferry__Storage__Provider"] = "Postgres", ["Ferry__Storage__ConnectionString"] = connectionString };

        // A token minted on A is good on B: the nodes started together and still share one signing key.
        using var onA = await a.LoggedInClientAsync("admin", AdminPassword);
        using var onB = Nodes.WithTokenOf(onA, b);
        using (var status = await onB.GetAsync("/status"))
        {
            Assert.Equal("postgres", (await HttpAssert.OkJsonAsync(status)).GetProperty("components").GetProperty("database").GetProperty("details").GetProperty("type").GetString());
        }

        // Published on A, consumed on B; a patch of its code and its deletion on A are seen on B.
        var (session, snapshot) = await IrisService.TrainAndSnapshotAsync(onA);
        (await onA.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(snapshot))).EnsureSuccessStatusCode();
        (await onA.DeleteAsync($"/sessions/{session}")).Dispose();
        Assert.Equal("I. versicolor", await Nodes.EventuallyAsync(() => PredictionAsync(onB), s => s is not null));

        (await onA.PatchAsJsonAsync("/services/Iris/V1.0", new { description = "patched on A", code = "iris_species = ['patched ' + names[clf.predict([flower_data])[0]]]" })).EnsureSuccessStatusCode();
        Assert.Equal("patched I. versicolor", await Nodes.EventuallyAsync(() => PredictionAsync(onB), s => s != "I. versicolor"));
        using (var described = await onB.GetAsync("/services/Iris/V1.0"))
        {
            Assert.Equal("patched on A", (await HttpAssert.OkJsonAsync(described)).GetProperty("description").GetString());
        }

        // The nodes' change-notice connections cut (a failover, a network blip): each reconnects, and resyncs
        // what it may have missed; a change made meanwhile on A reaches B either way.
        Assert.Equal(2, await TerminateListenersAsync(connectionString));
        (await onA.PatchAsJsonAsync("/services/Iris/V1.0", new { description = "patched while B was not listening" })).EnsureSuccessStatusCode();
        Assert.Equal("patched while B was not listening", await Nodes.EventuallyAsync(() => DescriptionAsync(onB), d => d == "patched while B was not listening"));
        Assert.Equal(2, await Nodes.EventuallyAsync(() => ListenersAsync(connectionString), n => n == 2));

        (await onA.DeleteAsync("/services/Iris/V1.0")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, await Nodes.EventuallyAsync(() => StatusOfAsync(onB, "/services/Iris/V1.0"), s => s != HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfAsync(onB, "/api/Iris/V1.0", new { flower_data = new[] { 7, 3.2, 4.7, 1.4 } }));

        // A role change by the admin CLI reaches both nodes at once, though their caches would keep the old answer ten minutes.
        var added = await FerryProcess.RunAsync(["admin", "user", "add", "carol", "--role", "Contributor", "--data-dir", dataDirectory], "carol-Passw0rd", admin);
        Assert.True(added.ExitCode == 0, added.Output);
        using var carolOnA = await a.LoggedInClientAsync("carol", "carol-Passw0rd");
        using var carolOnB = Nodes.WithTokenOf(carolOnA, b);
        // A body without code: a Contributor gets 400 for it, a Reader 403 before any body is read; nothing is published either way.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOfAsync(carolOnB, "/services/Carol/V1", new { })); // B now holds carol's login: live, a Contributor
        var demoted = await FerryProcess.RunAsync(["admin", "user", "set-role", "carol", "Reader", "--data-dir", dataDirectory], environment: admin);
        Assert.True(demoted.ExitCode == 0, demoted.Output);
        Assert.Equal(HttpStatusCode.Forbidden, await Nodes.EventuallyAsync(() => StatusOfAsync(carolOnB, "/services/Carol/V1", new { }), s => s != HttpStatusCode.BadRequest));

        // A revocation on A: the access token of that login dies on B too.
        using var login = await new HttpClient { BaseAddress = a.BaseAddress }.PostAsJsonAsync("/login", new { username = "admin", password = AdminPassword });
        var grant = await HttpAssert.OkJsonAsync(login);
        using var revokedOnB = new HttpClient { BaseAddress = b.BaseAddress };
        revokedOnB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", grant.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusOfAsync(revokedOnB, "/services"));
        (await onA.DeleteAsync($"/login/refreshToken?refreshToken={Uri.EscapeDataString(grant.GetProperty("refresh_token").GetString()!)}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, await Nodes.EventuallyAsync(() => StatusOfAsync(revokedOnB, "/services"), s => s != HttpStatusCode.OK));

        // Runs queued on A run once each, on whichever node claims them; B reads their logs from the shared directories.
        var workspace = await ArmApi.CreateWorkspaceAsync(onA);
        var runs = new List<(string Id, string Marker)>();
        for (var i = 0; i < 4; i++)
        {
            var marker = $"ran-{Guid.NewGuid():N}";
            runs.Add((await ArmApi.StartRunAsync(onA, workspace, "once", ("once.py", $"print('{marker}')"), """{"configuration":{"script":"once.py","target":"local"}}"""), marker));
        }

        using var anonymous = new HttpClient { BaseAddress = b.BaseAddress };
        foreach (var (id, marker) in runs)
        {
            Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(onB, workspace, "once", id)).GetProperty("status").GetString());
            using var details = await onB.GetAsync($"/history/v1.0{workspace}/experiments/once/runs/{id}/details?{ArmApi.ApiVersion}");
            var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
            var log = await anonymous.GetStringAsync(new Uri(logUrl).PathAndQuery);
            Assert.Single(Regex.Matches(log, marker));
        }

        // A run canceled through the node that is not running it stops on the node that is, even when that node
        // was not listening when the cancel was sent.
        var slow = await ArmApi.StartRunAsync(onA, workspace, "cancel", ("slow.py", "import time\nprint('started', flush=True)\ntime.sleep(300)"), """{"configuration":{"script":"slow.py","target":"local"}}""");
        var running = await Nodes.EventuallyAsync(() => Task.FromResult(new[] { a, b }.SingleOrDefault(n => Runs(n, "slow.py"))), n => n is not null);
        Assert.NotNull(running);
        var other = running == a ? onB : onA;
        Assert.Equal(2, await TerminateListenersAsync(connectionString)); // the cancel's notice goes out while no node listens: the resync finds it
        (await other.PostAsync($"/execution/v1.0{workspace}/experiments/cancel/runId/{slow}/cancel?{ArmApi.ApiVersion}", null)).EnsureSuccessStatusCode();
        Assert.Equal("Canceled", (await ArmApi.WaitForRunAsync(onA, workspace, "cancel", slow)).GetProperty("status").GetString());
        Assert.False(await Nodes.EventuallyAsync(() => Task.FromResult(Runs(running, "slow.py")), r => !r), "the script still runs");

        // An online endpoint deployed on A is scored on B; a key rotated on A stops working on B at once.
        const string Preview = "api-version=2021-03-01-preview";
        var (scoringUri, primary, _) = await ArmApi.DeployEchoScorerAsync(onA, workspace, "both-nodes");
        var scoringPath = new Uri(scoringUri).PathAndQuery;
        Assert.Equal(HttpStatusCode.OK, await ScoreAsync(b, scoringPath, primary));
        using (var rotated = await onA.PostAsJsonAsync($"{workspace}/onlineEndpoints/both-nodes/regenerateKeys?{Preview}", new { keyType = "Primary" }))
        {
            rotated.EnsureSuccessStatusCode();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Nodes.EventuallyAsync(() => ScoreAsync(b, scoringPath, primary), s => s != HttpStatusCode.OK));
        using var keys = await onA.PostAsync($"{workspace}/onlineEndpoints/both-nodes/listKeys?{Preview}", null);
        Assert.Equal(HttpStatusCode.OK, await ScoreAsync(b, scoringPath, (await HttpAssert.OkJsonAsync(keys)).GetProperty("primaryKey").GetString()!));
    }

    private static async Task<HttpStatusCode> ScoreAsync(FerryProcess node, string path, string key)
    {
        using var scorer = new HttpClient { BaseAddress = node.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"x\":1}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await scorer.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Whether a process below the server runs the script (its command line names it).</summary>
    private static bool Runs(FerryProcess node, string script) =>
        node.Descendants().Any(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains(script, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // it ended while we looked
            }
        });

    private static async Task<string?> DescriptionAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/services/Iris/V1.0");
        return response.StatusCode == HttpStatusCode.OK ? (await HttpAssert.OkJsonAsync(response)).GetProperty("description").GetString() : null;
    }

    private static Task<int> TerminateListenersAsync(string connectionString) =>
        CountAsync(connectionString, "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = 'ferry-changes' AND datname = current_database();");

    private static Task<int> ListenersAsync(string connectionString) =>
        CountAsync(connectionString, "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'ferry-changes' AND datname = current_database();");

    private static async Task<int> CountAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }


    private static async Task<string?> PredictionAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/Iris/V1.0", new { flower_data = new[] { 7, 3.2, 4.7, 1.4 } });
        return response.StatusCode == HttpStatusCode.OK
            ? (await HttpAssert.OkJsonAsync(response)).GetProperty("outputParameters").GetProperty("iris_species")[0].GetString()
            : null;
    }

    private static async Task<HttpStatusCode> StatusOfAsync(HttpClient client, string path, object? body = null)
    {
        using var response = body is null ? await client.GetAsync(path) : await client.PostAsJsonAsync(path, body);
        return response.StatusCode;
    }

}
