using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>startrun with a zipped script, as curl sends it; the run's states, log, limits and cancel.</summary>
public sealed class RunTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task HelloRun_CompletesAndItsSignedLogHasTheLine()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await StartAsync(client, workspace, "hello-exp", ("hello.py", "import sys\nprint('Hello, REST!', sys.argv[1])"), """{"configuration":{"script":"hello.py","arguments":["234"],"target":"local"}}""");

        var run = await WaitAsync(client, workspace, "hello-exp", runId);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("runNumber").GetInt32());

        using var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/hello-exp/runs/{runId}/details?{ArmApi.ApiVersion}");
        var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
        using var anonymous = factory.CreateClient();
        var log = await anonymous.GetStringAsync(new Uri(logUrl).PathAndQuery);
        Assert.Contains("Hello, REST! 234", log, StringComparison.Ordinal);

        using var tampered = await anonymous.GetAsync(new Uri(logUrl).PathAndQuery.Replace("sig=", "sig=0", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        using var experiments = await client.GetAsync($"/history/v1.0{workspace}/experiments?{ArmApi.ApiVersion}");
        Assert.Contains((await HttpAssert.OkJsonAsync(experiments)).GetProperty("value").EnumerateArray(), e => e.GetProperty("name").GetString() == "hello-exp");
    }

    [Fact]
    public async Task TrainingRun_OutputsBecomeArtifacts_MetricsAppear_UploadsRoundTrip()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        const string train = "import json, os, pickle\nfrom sklearn import svm, datasets\niris = datasets.load_iris()\nclf = svm.SVC(gamma='auto').fit(iris.data, iris.target)\n"
            + "os.makedirs('outputs', exist_ok=True)\npickle.dump(clf, open('outputs/model.pkl', 'wb'))\n"
            + "with open(os.environ['AZUREML_METRICS_FILE'], 'a') as m:\n    m.write(json.dumps({'name': 'accuracy', 'value': clf.score(iris.data, iris.target)}) + '\\n')\n"
            + "    m.write(json.dumps({'name': 'deep', 'value': json.loads('[' * 63 + ']' * 63)}) + '\\n')\n"; // a line nested near the serializer's limit is skipped
        var runId = await StartAsync(client, workspace, "train", ("train.py", train), """{"Configuration":{"Script":"train.py"}}""");
        var run = await WaitAsync(client, workspace, "train", runId);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.True(run.GetProperty("metrics").GetProperty("accuracy").GetDouble() > 0.9);
        Assert.False(run.GetProperty("metrics").TryGetProperty("deep", out _));

        using (var list = await client.GetAsync($"/history/v1.0{workspace}/experiments/train/runs/{runId}/artifacts?{ArmApi.ApiVersion}"))
        {
            var artifact = (await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray().Single();
            Assert.Equal($"ExperimentRun/dcid.{runId}/outputs/model.pkl", artifact.GetProperty("artifactId").GetString());
        }

        using (var model = await client.GetAsync($"/artifact/v2.0{workspace}/artifacts/ExperimentRun/dcid.{runId}/content?path=outputs/model.pkl"))
        {
            Assert.Equal(HttpStatusCode.OK, model.StatusCode);
            Assert.True((await model.Content.ReadAsByteArrayAsync()).Length > 100);
        }

        using (var escape = await client.GetAsync($"/artifact/v2.0{workspace}/artifacts/ExperimentRun/dcid.{runId}/content?path=train.py"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, escape.StatusCode);
        }

        using (var upload = await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/code1/content?path=score.py", new StringContent("def run(x): return x")))
        {
            Assert.Equal("LocalUpload/code1/score.py", (await HttpAssert.OkJsonAsync(upload)).GetProperty("artifactId").GetString());
        }

        Assert.Equal("def run(x): return x", await client.GetStringAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/code1/content?path=score.py"));
        using var traversal = await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/code1/content?path=../../x.py", new StringContent("x"));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
    }

    [Fact]
    public async Task MetricsLineWithALoneSurrogate_IsSkipped_AndTheRunAndItsExperimentStillRead()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        const string metrics = "import json, os\nwith open(os.environ['AZUREML_METRICS_FILE'], 'a') as m:\n"
            + "    m.write(json.dumps({'name': 'acc', 'value': '\\ud800'}) + '\\n')\n" // json.dumps escapes the lone surrogate: "\ud800"
            + "    m.write(json.dumps({'name': 'odd\\udc00', 'value': 1}) + '\\n')\n"
            + "    m.write(json.dumps({'name': 'ok', 'value': 'fine \\U0001F600'}) + '\\n')\n";
        var runId = await StartAsync(client, workspace, "metric", ("m.py", metrics), """{"Configuration":{"Script":"m.py"}}""");

        var run = await WaitAsync(client, workspace, "metric", runId);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        Assert.Equal("fine \U0001F600", run.GetProperty("metrics").GetProperty("ok").GetString());
        Assert.Equal(new[] { "ok" }, run.GetProperty("metrics").EnumerateObject().Select(p => p.Name));

        using (var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/metric/runs/{runId}/details?{ArmApi.ApiVersion}"))
        {
            await HttpAssert.OkJsonAsync(details);
        }

        using var list = await client.GetAsync($"/history/v1.0{workspace}/experiments/metric/runs?{ArmApi.ApiVersion}");
        Assert.Equal(runId, (await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray().Single().GetProperty("runId").GetString());
    }

    [Fact]
    public async Task DefinitionStoredWithALoneSurrogate_ReadsAsNoDefinition_NotA500()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await StartAsync(client, workspace, "legacy", ("c.py", "print('clean')"), """{"Configuration":{"Script":"c.py"}}""");
        var clean = await WaitAsync(client, workspace, "legacy", runId);
        Assert.Equal("Completed", clean.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Object, clean.GetProperty("runDefinition").ValueKind);

        // As startrun stored such definitions before it checked them.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "ferry.db")}"))
        {
            await connection.ExecuteAsync(
                "UPDATE runs SET definition = @definition WHERE run_id = @runId;", new { definition = """{"Configuration":{"Script":"c.py"},"Extra":"\udc00"}""", runId });
        }

        var run = await GetAsync(client, workspace, "legacy", runId);
        Assert.True(!run.TryGetProperty("runDefinition", out var definition) || definition.ValueKind == JsonValueKind.Null, run.ToString());
        using var list = await client.GetAsync($"/history/v1.0{workspace}/experiments/legacy/runs?{ArmApi.ApiVersion}");
        Assert.Equal(runId, (await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray().Single().GetProperty("runId").GetString());
    }

    [Fact]
    public async Task FailingScript_TimeLimit_Cancel_EndAsSaid()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var failing = await StartAsync(client, workspace, "exp", ("fail.py", "raise SystemExit(3)"), """{"Configuration":{"Script":"fail.py"}}""");
        var slow = await StartAsync(client, workspace, "exp", ("slow.py", "import time\ntime.sleep(60)"), """{"Configuration":{"Script":"slow.py","MaxRunDurationSeconds":1}}""");
        var cancelled = await StartAsync(client, workspace, "exp", ("slow.py", "import time\ntime.sleep(60)"), """{"Configuration":{"Script":"slow.py"}}""");

        var failed = await WaitAsync(client, workspace, "exp", failing);
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Contains("exited with code 3", failed.GetProperty("error").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var timedOut = await WaitAsync(client, workspace, "exp", slow);
        Assert.Equal("Failed", timedOut.GetProperty("status").GetString());
        Assert.Contains("MaxRunDurationSeconds", timedOut.GetProperty("error").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        using (var cancel = await client.PostAsync($"/execution/v1.0{workspace}/experiments/exp/runId/{cancelled}/cancel?{ArmApi.ApiVersion}", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        Assert.Equal("Canceled", (await WaitAsync(client, workspace, "exp", cancelled)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ProjectWhoseDriverLogIsADirectory_EndsFailed_NotPreparingForGood()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var started = await ArmApi.PostRunAsync(client, workspace, "exp", [("x.py", "print(1)"), ("azureml-logs/70_driver_log.txt/x", "")], """{"Configuration":{"Script":"x.py"}}""");
        var run = (await HttpAssert.OkJsonAsync(started)).GetProperty("runId").GetString()!;

        var failed = await WaitAsync(client, workspace, "exp", run);
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Contains("could not be started", failed.GetProperty("error").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRun_WithItsOwnRunId_IsThatRun_ATakenOrMalformedIdIsRefused()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var chosen = "my_run-" + Guid.NewGuid().ToString("N")[..8];
        const string definition = """{"Configuration":{"Script":"hello.py"}}""";
        using (var started = await ArmApi.PostRunAsync(client, workspace, "exp", [("hello.py", "print('chosen')")], definition, $"runId={chosen}&"))
        {
            Assert.Equal(chosen, (await HttpAssert.OkJsonAsync(started)).GetProperty("runId").GetString());
        }

        Assert.Equal("Completed", (await WaitAsync(client, workspace, "exp", chosen)).GetProperty("status").GetString());
        using (var taken = await ArmApi.PostRunAsync(client, workspace, "exp", [("hello.py", "print('again')")], definition, $"runId={chosen}&"))
        {
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        }

        using (var malformed = await ArmApi.PostRunAsync(client, workspace, "exp", [("hello.py", "print(1)")], definition, "runId=_bad%2Fid&"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Contains("runId", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("Completed", (await GetAsync(client, workspace, "exp", chosen)).GetProperty("status").GetString()); // the first is untouched
    }

    [Fact]
    public async Task RunsQueueBehindMaxNodeCount()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using (var compute = await client.PutAsJsonAsync($"{workspace}/computes/one?{ArmApi.ApiVersion}", new
        {
            location = "centralus",
            properties = new { computeType = "AmlCompute", properties = new { scaleSettings = new { maxNodeCount = 1 } } },
        }))
        {
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, compute.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        // The first run holds its node until the test lets it go, so the second one must queue.
        var definition = """{"Configuration":{"Script":"wait.py","Target":"one"}}""";
        const string wait = "import os, time\nwhile not os.path.exists('release'):\n    time.sleep(0.05)";
        var first = await StartAsync(client, workspace, "q", ("wait.py", wait), definition);
        var second = await StartAsync(client, workspace, "q", ("wait.py", wait), definition);
        for (var i = 0; i < 300 && (await GetAsync(client, workspace, "q", first)).GetProperty("status").GetString() != "Running"; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal("Running", (await GetAsync(client, workspace, "q", first)).GetProperty("status").GetString());
        await Task.Delay(500); // a dispatcher round that could wrongly start the second run
        Assert.Equal("Queued", (await GetAsync(client, workspace, "q", second)).GetProperty("status").GetString());
        foreach (var run in new[] { first, second })
        {
            await File.WriteAllTextAsync(Path.Combine(WorkerFiles.RunDirectory(factory.DataDirectory, run), "release"), ""); // in each run's own directory
        }

        Assert.Equal("Completed", (await WaitAsync(client, workspace, "q", first)).GetProperty("status").GetString());
        Assert.Equal("Completed", (await WaitAsync(client, workspace, "q", second)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("../evil.py")]
    [InlineData("/tmp/evil.py")]
    public async Task ZipSlip_Returns400AndWritesNothing(string entry)
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var response = await PostRunAsync(client, workspace, "slip", (entry, "print(1)"), """{"Configuration":{"Script":"hello.py"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Contains("zip-slip", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "workspaces", "evil.py")));
    }

    private static Task<string> StartAsync(HttpClient client, string workspace, string experiment, (string Name, string Content) file, string definition) =>
        ArmApi.StartRunAsync(client, workspace, experiment, file, definition);

    private static Task<HttpResponseMessage> PostRunAsync(HttpClient client, string workspace, string experiment, (string Name, string Content) file, string definition) =>
        ArmApi.PostRunAsync(client, workspace, experiment, file, definition);

    private static async Task<JsonElement> GetAsync(HttpClient client, string workspace, string experiment, string runId)
    {
        using var response = await client.GetAsync($"/history/v1.0{workspace}/experiments/{experiment}/runs/{runId}?{ArmApi.ApiVersion}");
        return await HttpAssert.OkJsonAsync(response);
    }

    private static Task<JsonElement> WaitAsync(HttpClient client, string workspace, string experiment, string runId) =>
        ArmApi.WaitForRunAsync(client, workspace, experiment, runId);
}
