using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.ScaleOut;

/// <summary>
/// PostgreSQL, two web nodes (<c>--role web</c>) and two compute nodes (<c>--role compute</c>) as real
/// <c>ferry serve</c> processes on loopback, sharing one database and one data directory. Sessions,
/// service calls and runs go through the web nodes to the compute nodes; then a compute node is
/// killed under load, and then a web node.
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class ComputeNodesTests(PostgresCluster cluster) : IDisposable
{
    private const string AdminPassword = "secret-password";
    private static readonly double[] Flower = [7, 3.2, 4.7, 1.4];
    private readonly List<string> directories = [.. Enumerable.Range(0, 6).Select(_ => TestDirectory.Create())];

    public void Dispose()
    {
        foreach (var directory in directories)
        {
            TestDirectory.TryDelete(directory);
        }
    }

    [Fact]
    public async Task TwoWebAndTwoComputeNodes_SeedWalkAcrossNodes_ComputeNodeKilledUnderLoad_WebNodeKilled()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var data = directories[0];
        string[] Settings(string role, int node) =>
            [$"--role={role}", "--Ferry:Storage:Provider=Postgres", $"--Ferry:Storage:ConnectionString={connectionString}", $"--Ferry:NodeDirectory={directories[node]}",
             "--Ferry:Node:HealthInterval=00:00:00.500", "--Ferry:Node:HealthTimeout=00:00:02", "--Ferry:Sessions:MaxSessionsPerUser=3"];
        var c1 = await FerryProcess.ServeAsync(data, AdminPassword, Settings("compute", 1));
        var c2 = await FerryProcess.ServeAsync(data, AdminPassword, Settings("compute", 2));
        await using var a = await FerryProcess.ServeAsync(data, AdminPassword, Settings("web", 3));
        await using var b = await FerryProcess.ServeAsync(data, AdminPassword, Settings("web", 4));
        try
        {
            using var onA = await a.LoggedInClientAsync("admin", AdminPassword);
            using var onB = Nodes.WithTokenOf(onA, b);

            // A compute node answers web nodes only: a user's own token is not enough.
            using (var direct = Nodes.WithTokenOf(onA, c1))
            using (var refused = await direct.GetAsync("/sessions"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Contains("compute node", (await JsonOf(refused)).GetProperty("message").GetString());
            }

            // With no compute node listed, a web node has nowhere to run code.
            using (var none = await onA.PostAsJsonAsync("/sessions", new { runtimeType = "Python" }))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
            }

            var computeNodes = new[] { c1.BaseAddress.ToString().TrimEnd('/'), c2.BaseAddress.ToString().TrimEnd('/') };
            (await onA.PostAsJsonAsync("/computenodes", new { entries = computeNodes })).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.Created, await Nodes.EventuallyAsync(() => CreateStatusAsync(onB), s => s == HttpStatusCode.Created));

            // The seed walk through A: a session (on a compute node) trains and snapshots, the service is published.
            var (session, snapshot) = await IrisService.TrainAndSnapshotAsync(onA);
            (await onA.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(snapshot))).EnsureSuccessStatusCode();

            // B reaches the session A made: its list, its workspace, an execution.
            using (var listed = await onB.GetAsync("/sessions"))
            {
                Assert.Contains(session, (await HttpAssert.OkJsonAsync(listed)).EnumerateArray().Select(s => s.GetProperty("id").GetString()));
            }

            Assert.Equal("I. versicolor", (await SessionApi.ExecuteAsync(onB, session, new { code = "print(names[clf.predict([[7, 3.2, 4.7, 1.4]])[0]])" })).GetProperty("consoleOutput").GetString()!.Trim());

            // Another user does not learn of it, through either web node.
            var added = await FerryProcess.RunAsync(
                ["admin", "user", "add", "carol", "--role", "Contributor", "--data-dir", data], "carol-Passw0rd",
                new Dictionary<string, string> { ["Ferry__Storage__Provider"] = "Postgres", ["Ferry__Storage__ConnectionString"] = connectionString });
            Assert.True(added.ExitCode == 0, added.Output);
            using var carol = await b.LoggedInClientAsync("carol", "carol-Passw0rd");
            var reader = await FerryProcess.RunAsync(
                ["admin", "user", "add", "rita", "--role", "Reader", "--data-dir", data], "rita-Passw0rd",
                new Dictionary<string, string> { ["Ferry__Storage__Provider"] = "Postgres", ["Ferry__Storage__ConnectionString"] = connectionString });
            Assert.True(reader.ExitCode == 0, reader.Output);
            using var rita = await a.LoggedInClientAsync("rita", "rita-Passw0rd");
            Assert.Equal(HttpStatusCode.Forbidden, (await rita.GetAsync("/sessions")).StatusCode); // the compute nodes' authorization, relayed
            Assert.Equal(HttpStatusCode.Forbidden, (await rita.PostAsJsonAsync("/sessions", new { runtimeType = "Python" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await carol.GetAsync($"/sessions/{session}/history")).StatusCode);
            Assert.DoesNotContain(session, await carol.GetStringAsync("/sessions"));

            // The session limit (3 here) holds across the compute nodes, not per node, and creations racing
            // through both web nodes do not pass it together: each is counted in the write that records it.
            var carols = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                using var created = await carol.PostAsJsonAsync("/sessions", new { runtimeType = "Python" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                carols.Add((await JsonOf(created)).GetProperty("sessionId").GetString()!);
                await Task.Delay(TimeSpan.FromSeconds(1.2)); // the web node's next health answers count it: a new session goes to the node holding fewest
            }

            using var carolOnA = Nodes.WithTokenOf(carol, a);
            var raced = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? carol : carolOnA).PostAsJsonAsync("/sessions", new { runtimeType = "Python" })));
            foreach (var created in raced)
            {
                if (created.StatusCode == HttpStatusCode.Created)
                {
                    carols.Add((await JsonOf(created)).GetProperty("sessionId").GetString()!);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, created.StatusCode);
                    Assert.Contains("3 open sessions", (await JsonOf(created)).GetProperty("message").GetString());
                }

                created.Dispose();
            }

            Assert.Equal(3, carols.Count);
            var holders = new HashSet<string>();
            foreach (var id in carols)
            {
                holders.Add(await HolderOfAsync(connectionString, id));
            }

            Assert.Equal(2, holders.Count); // spread over both nodes, each below its own limit
            foreach (var id in carols)
            {
                (await carol.DeleteAsync($"/sessions/{id}")).EnsureSuccessStatusCode();
            }

            // Consumed through B; every call runs on a compute node.
            Assert.Equal("I. versicolor", await IrisService.PredictAsync(onB, "V1.0", Flower));

            // A run queued on A runs once, on a compute node.
            var workspace = await ArmApi.CreateWorkspaceAsync(onA);
            var marker = $"ran-{Guid.NewGuid():N}";
            var runId = await ArmApi.StartRunAsync(onA, workspace, "once", ("once.py", $"print('{marker}')"), """{"configuration":{"script":"once.py","target":"local"}}""");
            Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(onB, workspace, "once", runId)).GetProperty("status").GetString());
            using (var details = await onB.GetAsync($"/history/v1.0{workspace}/experiments/once/runs/{runId}/details?{ArmApi.ApiVersion}"))
            {
                var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
                using var anonymous = new HttpClient { BaseAddress = b.BaseAddress };
                Assert.Single(Regex.Matches(await anonymous.GetStringAsync(new Uri(logUrl).PathAndQuery), marker));
            }

            // An online deployment made through A is scored through B, its scoring script running on a compute node.
            var (scoringUri, primary, _) = await ArmApi.DeployEchoScorerAsync(onA, workspace, "on-compute");
            using (var scorer = new HttpClient { BaseAddress = b.BaseAddress })
            using (var score = new HttpRequestMessage(HttpMethod.Post, new Uri(scoringUri).PathAndQuery) { Content = new StringContent("{\"x\":1}", System.Text.Encoding.UTF8, "application/json") })
            {
                score.Headers.Authorization = new AuthenticationHeaderValue("Bearer", primary);
                using var scored = await scorer.SendAsync(score);
                Assert.Equal("scored {\"x\":1}", (await JsonOf(scored)).GetString());
            }

            // Both compute nodes hold a warm worker of the service before the load starts.
            Assert.True(await Nodes.EventuallyAsync(() => WarmAsync(c1, c2), warm => warm), "both compute nodes warm");

            // Under load through B, the compute node holding the session is killed: only calls it was running fail
            // (503), and the calls after it succeed on the other node.
            var holder = await HolderOfAsync(connectionString, session);
            var (killed, survivor) = holder == computeNodes[0] ? (c1, c2) : (c2, c1);
            var outcomes = new ConcurrentQueue<(DateTimeOffset At, HttpStatusCode Status, bool Success)>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                using var client = Nodes.WithTokenOf(onA, b);
                while (!stop.IsCancellationRequested)
                {
                    using var response = await client.PostAsJsonAsync("/api/Iris/V1.0", new { flower_data = Flower });
                    var success = response.StatusCode == HttpStatusCode.OK && (await JsonOf(response)).GetProperty("success").GetBoolean();
                    outcomes.Enqueue((DateTimeOffset.UtcNow, response.StatusCode, success));
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await killed.CrashAsync();
            var killedAt = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(4));
            await stop.CancelAsync();
            await Task.WhenAll(load);

            var failed = outcomes.Where(o => !o.Success).ToList();
            Assert.True(outcomes.Count(o => o.Success && o.At < killedAt) > 10, $"calls before the kill: {outcomes.Count}");
            Assert.True(outcomes.Count(o => o.Success && o.At > killedAt) > 10, "calls after the kill succeed on the other node");
            Assert.True(failed.Count <= 4, $"only the calls in flight on the killed node fail; {failed.Count} failed: {string.Join(", ", failed.Select(f => f.Status))}");
            Assert.True(failed.All(f => f.Status == HttpStatusCode.ServiceUnavailable), $"failed with {string.Join(", ", failed.Select(f => f.Status))}:\n{Problems(b, survivor)}");
            Assert.All(outcomes.Where(o => o.At > killedAt + TimeSpan.FromSeconds(1)), o => Assert.True(o.Success));

            // Its session is gone, and says so on every web node; a new one goes to the node that is up.
            foreach (var client in new[] { onA, onB })
            {
                using var gone = await client.GetAsync($"/sessions/{session}/history");
                Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
                Assert.Contains("stopped", (await JsonOf(gone)).GetProperty("message").GetString());
            }

            var replacement = await SessionApi.CreateAsync(onB);
            Assert.Equal(survivor == c1 ? computeNodes[0] : computeNodes[1], await HolderOfAsync(connectionString, replacement));

            // A run on the surviving node keeps running while another compute node starts (which fails only the runs
            // of gone nodes); canceled through a web node, it stops there.
            var slow = await ArmApi.StartRunAsync(onA, workspace, "stays", ("slow.py", "import time\nprint('started', flush=True)\ntime.sleep(300)"), """{"configuration":{"script":"slow.py","target":"local"}}""");
            Assert.Equal("Running", await Nodes.EventuallyAsync(() => RunStatusAsync(onB, workspace, "stays", slow), s => s == "Running"));
            await using (var c3 = await FerryProcess.ServeAsync(data, AdminPassword, Settings("compute", 5)))
            {
                await Task.Delay(TimeSpan.FromSeconds(3)); // its dispatcher's first look at runs cut off
                Assert.Equal("Running", await RunStatusAsync(onB, workspace, "stays", slow));
            }

            (await onB.PostAsync($"/execution/v1.0{workspace}/experiments/stays/runId/{slow}/cancel?{ArmApi.ApiVersion}", null)).EnsureSuccessStatusCode();
            Assert.Equal("Canceled", (await ArmApi.WaitForRunAsync(onB, workspace, "stays", slow)).GetProperty("status").GetString());

            // Web node A dies; B serves everything: consumption, sessions, services.
            await a.CrashAsync();
            Assert.Equal("I. versicolor", await IrisService.PredictAsync(onB, "V1.0", Flower));
            Assert.Equal("2", (await SessionApi.ExecuteAsync(onB, replacement, new { code = "print(1 + 1)" })).GetProperty("consoleOutput").GetString()!.Trim());
            (await onB.DeleteAsync($"/sessions/{replacement}")).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.NotFound, (await onB.GetAsync($"/sessions/{replacement}/history")).StatusCode);
            using (var services = await onB.GetAsync("/services"))
            {
                Assert.Contains("Iris", await services.Content.ReadAsStringAsync());
            }
        }
        finally
        {
            await c1.DisposeAsync();
            await c2.DisposeAsync();
        }
    }

    /// <summary>What the nodes logged at warning level or worse, for a failure's message.</summary>
    private static string Problems(params FerryProcess[] nodes) =>
        string.Join('\n', nodes.SelectMany(n => n.Output.Split('\n')).Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(40));

    private static async Task<string?> RunStatusAsync(HttpClient client, string workspace, string experiment, string runId)
    {
        using var response = await client.GetAsync($"/history/v1.0{workspace}/experiments/{experiment}/runs/{runId}?{ArmApi.ApiVersion}");
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("status").GetString();
    }

    private static async Task<HttpStatusCode> CreateStatusAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/sessions", new { runtimeType = "Python" });
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var id = (await JsonOf(response)).GetProperty("sessionId").GetString();
            (await client.DeleteAsync($"/sessions/{id}")).EnsureSuccessStatusCode();
        }

        return response.StatusCode;
    }

    /// <summary>Whether every compute node holds a worker of Iris/V1.0's single-call pool, by its own metrics.</summary>
    private static async Task<bool> WarmAsync(params FerryProcess[] nodes)
    {
        using var client = new HttpClient();
        foreach (var node in nodes)
        {
            var text = await client.GetStringAsync(new Uri(node.MetricsAddress!, "/metrics"));
            var workers = text.Split('\n')
                .Where(l => l.StartsWith("ferry_pool_workers{", StringComparison.Ordinal) && l.Contains("ferry_service_name=\"Iris\"", StringComparison.Ordinal)
                    && !l.Contains("ferry_pool=\"batch\"", StringComparison.Ordinal) && !l.Contains("starting", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            if (workers < 1)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<string> HolderOfAsync(string connectionString, string session)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT node_url FROM session_placements WHERE session_id = @id;", connection);
        command.Parameters.AddWithValue("id", session);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
