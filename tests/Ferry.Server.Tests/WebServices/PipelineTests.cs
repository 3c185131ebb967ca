using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.WebServices;

/// <summary>
/// Calls written behind a running one (a pool of one worker that pipelines every call): each gets
/// its own answer, a call behind a dying worker runs elsewhere, and a call whose turn comes past
/// the queue's deadline is refused without running.
/// </summary>
public sealed class PipelineTests(PipelineTests.PipelineFactory factory) : IClassFixture<PipelineTests.PipelineFactory>
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_ManyCallersOnOneWorker_GetTheirOwnResults(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, runtime, Code.Of(runtime, python: "import time\ntime.sleep(0.002)\ny = x * 2", r: "Sys.sleep(0.002)\ny <- x * 2"));
        await WarmAsync(client, name); // the worker has answered once: its calls are known to be quick
        var calls = Enumerable.Range(1, 32).Select(async x => (x, result: await ConsumeAsync(client, name, x)));
        foreach (var (x, result) in await Task.WhenAll(calls))
        {
            Assert.True(result.GetProperty("success").GetBoolean(), result.GetRawText());
            Assert.Equal(x * 2, result.GetProperty("outputParameters").GetProperty("y").GetInt32());
        }
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_CallsBehindACallThatKillsTheWorker_RunOnItsReplacement(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, runtime, Code.Of(runtime,
            python: "import os, time\nif x < 0:\n    time.sleep(0.5)\n    os._exit(9)\ny = x * 2",
            r: "if (x < 0) {\n  Sys.sleep(0.5)\n  quit(save = 'no', status = 9)\n}\ny <- x * 2"));
        await WarmAsync(client, name);
        var dying = ConsumeAsync(client, name, -1);
        await Task.Delay(100); // the others are written behind it
        // A call the replacement cannot take within the queue deadline (an R worker's start on a loaded machine) is refused unrun with a 503, and retried.
        var behind = Enumerable.Range(1, 6).Select(async x => (x, result: await ConsumePatientlyAsync(client, name, x))).ToList();

        var died = await dying;
        Assert.False(died.GetProperty("success").GetBoolean());
        Assert.Contains("being replaced", died.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        foreach (var (x, result) in await Task.WhenAll(behind))
        {
            Assert.True(result.GetProperty("success").GetBoolean(), result.GetRawText());
            Assert.Equal(x * 2, result.GetProperty("outputParameters").GetProperty("y").GetInt32());
        }
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_CallBehindASlowOne_PastTheQueueDeadline_Gets503AndDoesNotRun(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var mark = Guid.NewGuid().ToString("N");
        var name = await PublishAsync(client, runtime, Code.Of(runtime,
            python: $"import os, time\nopen({JsonSerializer.Serialize(mark)} + '-' + str(x), 'w').close()\ntime.sleep(x / 1000)\ny = x",
            r: $"invisible(file.create(paste0({JsonSerializer.Serialize(mark)}, '-', x)))\nSys.sleep(x / 1000)\ny <- x"));
        await WarmAsync(client, name);

        var slow = ConsumeAsync(client, name, 4000);
        for (var i = 0; i < 300 && WorkerFiles.Find(factory.DataDirectory, mark + "-4000").Count == 0; i++)
        {
            await Task.Delay(20);
        }

        using (var late = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 1 }))
        {
            await HttpAssert.ErrorAsync(late, HttpStatusCode.ServiceUnavailable, "did not run");
            Assert.NotNull(late.Headers.RetryAfter);
        }

        Assert.True((await slow).GetProperty("success").GetBoolean());
        Assert.Empty(WorkerFiles.Find(factory.DataDirectory, mark + "-1")); // the refused call did not run
        Assert.Equal(2, (await ConsumeAsync(client, name, 2)).GetProperty("outputParameters").GetProperty("y").GetInt32());
    }

    private static async Task<string> PublishAsync(HttpClient client, string runtime, string code)
    {
        var name = "pipe" + Guid.NewGuid().ToString("N")[..8];
        using var published = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code,
            runtimeType = runtime,
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        return name;
    }

    private static async Task<JsonElement> ConsumePatientlyAsync(HttpClient client, string name, int x)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return await HttpAssert.OkJsonAsync(response);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The first call, which waits for the pool's one worker to start: retried while 503, as a
    /// worker (an R one above all) may take longer than the 2 s queue deadline on a loaded machine.
    /// </summary>
    private static async Task WarmAsync(HttpClient client, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 0 });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                Assert.True((await HttpAssert.OkJsonAsync(response)).GetProperty("success").GetBoolean());
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> ConsumeAsync(HttpClient client, string name, int x)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x });
        return await HttpAssert.OkJsonAsync(response);
    }

    /// <summary>One worker per service that takes every call into its line, and a short queue deadline.</summary>
    public sealed class PipelineFactory() : FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
    {
        ["Ferry:WebServices:MaxPoolSize"] = "1",
        ["Ferry:WebServices:PipelineDepth"] = "64",
        ["Ferry:WebServices:PipelineCallTime"] = "01:00:00",
        ["Ferry:WebServices:QueueTimeout"] = "00:00:02",
    });
}
