using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ferry.Server.Tests.Sandboxing;

/// <summary>
/// Issue 10's attacks, through every path user code takes on a real <c>./ferry serve</c>: a session, a
/// web service published by one user and consumed by another, an online deployment, and a run. Each
/// tries to read the signing key, the database and another user's file, to find secrets in its
/// environment, to reach the server's port, to signal the server and every process it can see, to
/// fork past its process limit and to leave a grandchild behind, and plants links where the server
/// reads its files. Every attempt fails inside the sandbox, the server keeps serving, and the test
/// prints what the code saw.
/// </summary>
public sealed class SandboxAttackTests(SandboxAttackTests.Server server, ITestOutputHelper output) : IClassFixture<SandboxAttackTests.Server>
{
    private const int ProcessLimit = 64;
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task Session_AttacksFail_AndCloseLeavesNoProcess()
    {
        using var alice = await server.Process.LoggedInClientAsync("alice", Server.Password);
        var id = await SessionApi.CreateAsync(alice);
        var result = await SessionApi.ExecuteAsync(alice, id, new
        {
            code = AttackScript.Source + "\nreport = json.dumps(attack(params))",
            inputParameters = new[] { new { name = "params", value = server.Parameters(910001) } },
            outputParameters = new[] { "report" },
        });
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        var report = Report(result.GetProperty("outputParameters")[0].GetProperty("value").GetString()!, "session");

        // The links it planted are not followed: not by a file download, not by a snapshot.
        using (var download = await alice.GetAsync($"/sessions/{id}/files/leak.txt"))
        {
            Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        }

        using (var snapshot = await alice.PostAsJsonAsync($"/sessions/{id}/snapshot", new { name = "attack" }))
        {
            var snapshotId = (await HttpAssert.OkJsonAsync(snapshot)).GetProperty("snapshotId").GetString();
            var zip = await alice.GetByteArrayAsync($"/snapshots/{snapshotId}");
            using var archive = new ZipArchive(new MemoryStream(zip));
            Assert.DoesNotContain(archive.Entries, e => e.FullName.EndsWith("leak.txt", StringComparison.Ordinal));
            Assert.False(Contains(zip, server.SigningKey), "The snapshot holds the signing key.");
        }

        await EndAsync(alice, $"/sessions/{id}", 910001, report);
    }

    [Fact]
    public async Task WebService_ConsumedByAnotherUser_AttacksFail_AndDeleteLeavesNoProcess()
    {
        using var alice = await server.Process.LoggedInClientAsync("alice", Server.Password);
        using var bob = await server.Process.LoggedInClientAsync("bob", Server.Password);
        var name = $"attack{Guid.NewGuid():N}";
        using (var publish = await alice.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = AttackScript.Source + "\nreport = json.dumps(attack(json.loads(params)))",
            inputParameterDefinitions = new[] { new { name = "params", type = "character" } },
            outputParameterDefinitions = new[] { new { name = "report", type = "character" } },
            runtimeType = "Python",
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        using var consumed = await bob.PostAsJsonAsync($"/api/{name}/1.0", new { @params = JsonSerializer.Serialize(server.Parameters(910002)) });
        var body = await HttpAssert.OkJsonAsync(consumed);
        Assert.True(body.GetProperty("success").GetBoolean(), body.ToString());
        var report = Report(body.GetProperty("outputParameters").GetProperty("report").GetString()!, "web service consumed by another user");

        await EndAsync(alice, $"/services/{name}/1.0", 910002, report);
    }

    [Fact]
    public async Task OnlineDeployment_AttacksFail_AndDeleteLeavesNoProcess()
    {
        using var admin = await server.Process.LoggedInClientAsync("admin", Server.Password);
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        (await admin.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/model/content?path=model.bin", new ByteArrayContent([1, 2, 3]))).Dispose();
        (await admin.PostAsJsonAsync($"/modelmanagement/v1.0{workspace}/models?{ArmApi.ApiVersion}", new { name = "m", url = "aml://artifact/LocalUpload/model/model.bin", mimeType = "application/octet-stream" })).Dispose();
        (await admin.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/score/content?path=score.py", new StringContent(
            AttackScript.Source + "\ndef init():\n    pass\n\ndef run(raw_data):\n    return json.dumps(attack(json.loads(raw_data)))\n"))).Dispose();
        (await admin.PutAsJsonAsync($"{workspace}/codes/score/versions/1?{Preview}", new { properties = new { path = "LocalUpload/score" } })).Dispose();
        var endpoint = $"{workspace}/onlineEndpoints/attack";
        var (scoringUri, key, _) = await ArmApi.DeployAsync(admin, workspace, "attack", $"{workspace}/models/m/versions/1");
        using var scorer = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, scoringUri) { Content = new StringContent(JsonSerializer.Serialize(server.Parameters(910003)), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var scored = await scorer.SendAsync(request);
        var text = await scored.Content.ReadAsStringAsync();
        Assert.True(scored.IsSuccessStatusCode, text);
        var report = Report(JsonDocument.Parse(text).RootElement.GetString()!, "online deployment");

        await EndAsync(admin, $"{endpoint}?{Preview}", 910003, report);
    }

    [Fact]
    public async Task Run_AttacksFail_ItsLinksAreNotFollowed_AndItLeavesNoProcess()
    {
        using var admin = await server.Process.LoggedInClientAsync("admin", Server.Password);
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        var script = AttackScript.Source + $"\nprint('REPORT ' + json.dumps(attack(json.loads({JsonSerializer.Serialize(JsonSerializer.Serialize(server.Parameters(910004)))}))))\n";
        var runId = await ArmApi.StartRunAsync(admin, workspace, "attack", ("attack.py", script), """{"Configuration":{"Script":"attack.py","Target":"local"}}""");
        var run = await ArmApi.WaitForRunAsync(admin, workspace, "attack", runId);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        using (var details = await admin.GetAsync($"/history/v1.0{workspace}/experiments/attack/runs/{runId}/details?{ArmApi.ApiVersion}"))
        {
            var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
            using var anonymous = new HttpClient();
            var log = await anonymous.GetStringAsync(logUrl);
            var line = log.Split('\n').Single(l => l.StartsWith("REPORT ", StringComparison.Ordinal));
            AssertContained(Report(line["REPORT ".Length..], "run"));
        }

        // The link it left among its outputs is neither listed nor served.
        var artifacts = $"/artifact/v2.0{workspace}/artifacts/ExperimentRun/dcid.{runId}";
        using (var download = await admin.GetAsync($"{artifacts}/content?path=outputs/model.bin"))
        {
            Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        }

        // A second run swaps its driver log for a link to the key: the signed URL serves nothing.
        var swap = await ArmApi.StartRunAsync(admin, workspace, "swap", ("swap.py",
            $"import os\nprint('hello')\nos.remove('azureml-logs/70_driver_log.txt')\nos.symlink({JsonSerializer.Serialize(server.KeyPath)}, 'azureml-logs/70_driver_log.txt')"),
            """{"Configuration":{"Script":"swap.py","Target":"local"}}""");
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(admin, workspace, "swap", swap)).GetProperty("status").GetString());
        using (var details = await admin.GetAsync($"/history/v1.0{workspace}/experiments/swap/runs/{swap}/details?{ArmApi.ApiVersion}"))
        {
            var body = await HttpAssert.OkJsonAsync(details);
            if (body.GetProperty("logFiles").TryGetProperty("azureml-logs/70_driver_log.txt", out var url))
            {
                using var anonymous = new HttpClient();
                using var log = await anonymous.GetAsync(url.GetString());
                Assert.DoesNotContain(server.SigningKey, await log.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        await AssertNoProcessAsync(910004);
        await server.AssertServingAsync();
    }

    /// <summary>The server serves; deleting what ran the code leaves no process of it behind; every attack failed.</summary>
    private async Task EndAsync(HttpClient client, string deleteUri, int marker, JsonElement report)
    {
        await server.AssertServingAsync();
        using (await client.DeleteAsync(deleteUri))
        {
            await AssertNoProcessAsync(marker);
        }

        AssertContained(report);
    }

    private JsonElement Report(string json, string path)
    {
        output.WriteLine($"What user code saw through a {path}: {json}");
        return JsonDocument.Parse(json).RootElement;
    }

    private static void AssertContained(JsonElement report)
    {
        foreach (var secret in new[] { "signing_key", "database", "other_user_file" })
        {
            Assert.DoesNotContain("READ", report.GetProperty(secret).GetString(), StringComparison.Ordinal);
        }

        Assert.False(report.GetProperty("data_dir_exists").GetBoolean());
        Assert.Empty(report.GetProperty("secrets_found").EnumerateArray());
        var variables = report.GetProperty("env").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.DoesNotContain(variables, v => v.StartsWith("FERRY", StringComparison.Ordinal) || v.Contains("PASSWORD", StringComparison.Ordinal) || v.Contains("SECRET", StringComparison.Ordinal));
        Assert.NotEqual("CONNECTED", report.GetProperty("server_port").GetString());
        Assert.NotEqual("SENT", report.GetProperty("kill_server").GetString());
        // A web service's (or deployment's) workers are copies of its version's template, in one sandbox: its code
        // may signal that template and its other copies, which run the version's own code for its publisher, and
        // nothing else (a run or a session sees no other process at all).
        Assert.All(report.GetProperty("killed").EnumerateArray(), process =>
            Assert.Contains("/opt/ferry/Python/ferry_worker.py", process.GetProperty("cmdline").GetString(), StringComparison.Ordinal));
        Assert.InRange(report.GetProperty("forked").GetInt32(), 0, ProcessLimit);
        Assert.NotEqual(JsonValueKind.Null, report.GetProperty("fork_error").ValueKind);
        Assert.NotEqual(0, report.GetProperty("uid").GetInt32());
        Assert.NotEqual(0, report.GetProperty("user_namespace").GetInt32());
        Assert.Equal("Operation not permitted", report.GetProperty("keyring").GetString());
        Assert.All(report.GetProperty("terminal").EnumerateArray(), opened => Assert.Equal("FileNotFoundError", opened.GetString()));
    }

    /// <summary>The grandchild user code left (<c>sleep MARKER</c>) is gone once its worker is.</summary>
    private static async Task AssertNoProcessAsync(int marker)
    {
        var command = $"sleep\0{marker}\0";
        for (var i = 0; i < 100 && Sleepers(command) > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, Sleepers(command));
    }

    private static int Sleepers(string command) =>
        Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _) && ReadCommand(d) == command);

    private static string ReadCommand(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, "cmdline"));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    /// <summary>One real server for the attacks, with alice (Contributor), bob (Reader) and a file of the admin's to steal.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public const string Password = "attack-Passw0rd-long";
        private readonly string dataDirectory = TestDirectory.Create();
        private string otherFile = "";

        public FerryProcess Process { get; private set; } = null!;

        public string KeyPath => Path.Combine(dataDirectory, "jwt-signing-key");

        public string SigningKey { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Process = await FerryProcess.ServeAsync(dataDirectory, Password, $"--Ferry:Sandbox:MaxProcesses={ProcessLimit}");
            foreach (var (name, role) in new[] { ("alice", "contributor"), ("bob", "reader") })
            {
                var added = await FerryProcess.RunAsync(["admin", "user", "add", name, "--role", role, "--data-dir", dataDirectory], standardInput: Password);
                Assert.True(added.ExitCode == 0, added.Output);
            }

            SigningKey = (await File.ReadAllTextAsync(KeyPath)).Trim();
            using var admin = await Process.LoggedInClientAsync("admin", Password);
            var session = await SessionApi.CreateAsync(admin);
            using var form = new MultipartFormDataContent { { new StringContent("the admin's secret"), "file", "secret.txt" } };
            (await admin.PostAsync($"/sessions/{session}/files", form)).EnsureSuccessStatusCode();
            otherFile = Path.Combine(dataDirectory, "sessions", session, "secret.txt");
            Assert.True(File.Exists(otherFile));
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            TestDirectory.TryDelete(dataDirectory);
        }

        public Dictionary<string, object> Parameters(int marker) => new()
        {
            ["key"] = KeyPath,
            ["db"] = Path.Combine(dataDirectory, "ferry.db"),
            ["other"] = otherFile,
            ["data"] = dataDirectory,
            ["port"] = Process.BaseAddress.Port,
            ["server_pid"] = Process.ProcessId,
            ["marker"] = marker,
        };

        /// <summary>The server answers, and the admin's file is still there: nothing user code did reached them.</summary>
        public async Task AssertServingAsync()
        {
            using var admin = await Process.LoggedInClientAsync("admin", Password);
            using var status = await admin.GetAsync("/status");
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.Equal("the admin's secret", await File.ReadAllTextAsync(otherFile));
        }
    }
}
