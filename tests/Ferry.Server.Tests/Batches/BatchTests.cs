using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Batches;

/// <summary>Asynchronous batches (issue 14) on a real server with real Python: results, bad input, ownership, cancel, files, changes to the service.</summary>
public sealed class BatchTests(BatchTests.BatchFactory factory) : IClassFixture<BatchTests.BatchFactory>
{
    [Fact]
    public async Task Batch_Iris150Rows_ParallelFour_EachResultEqualsASingleConsume()
    {
        using var client = await factory.LoggedInClientAsync();
        var (session, snapshot) = await IrisService.TrainAndSnapshotAsync(client);
        var rows = (await SessionApi.RunAsync(client, session, "rows = iris.data.tolist()", "rows"))["rows"].EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
        Assert.Equal(150, rows.Count);
        var version = "B" + Guid.NewGuid().ToString("N")[..6];
        using (var published = await client.PostAsJsonAsync($"/services/Iris/{version}", IrisService.Publish(snapshot)))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        var id = await BatchApi.StartAsync(client, $"Iris/{version}", rows.Select(r => new { flower_data = r }), parallelCount: 4);
        var status = await BatchApi.CompleteAsync(client, $"Iris/{version}", id);
        Assert.Equal("complete", status.State());
        Assert.Equal(150, status.Completed());
        Assert.Equal(150, status.GetProperty("totalItemCount").GetInt32());
        Assert.Equal(4, status.GetProperty("parallelCount").GetInt32());
        var results = status.GetProperty("batchExecutionResults").EnumerateArray().ToList();
        Assert.Equal(150, results.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            using var single = await client.PostAsJsonAsync($"/api/Iris/{version}", new { flower_data = rows[i] });
            var expected = await HttpAssert.OkJsonAsync(single);
            Assert.Equal(expected.ToString(), results[i].ToString());
        }

        Assert.Equal(["I. setosa", "I. versicolor", "I. virginica"], results.Select(r => r.GetProperty("outputParameters").GetProperty("iris_species")[0].GetString()).Distinct().Order());
        using var list = await client.GetAsync($"/api/Iris/{version}/batch");
        Assert.Contains(id, (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Start_ParallelCountOverTheServersCap_IsCapped_AsMLServerCapsIt()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "y = x * 2");
        using var started = await client.PostAsJsonAsync($"/api/{name}/1.0/batch?parallelCount=1000", new[] { new { x = 1 } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await HttpAssert.OkJsonAsync(started)).GetProperty("batchExecutionId").GetString();
        using var status = await client.GetAsync($"/api/{name}/1.0/batch/{id}");
        Assert.Equal(100, (await HttpAssert.OkJsonAsync(status)).GetProperty("parallelCount").GetInt32());
    }

    [Fact]
    public async Task Start_BadInput_Returns4xxNamingTheProblem_StoresNothing()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "y = x * 2");
        var api = $"/api/{name}/1.0/batch";
        await ExpectAsync(client.PostAsJsonAsync(api, new { x = 1 }), HttpStatusCode.BadRequest, "must be a JSON array");
        await ExpectAsync(client.PostAsJsonAsync(api, Array.Empty<object>()), HttpStatusCode.BadRequest, "no records");
        await ExpectAsync(client.PostAsJsonAsync(api, new object[] { new { x = 1 }, new { } }), HttpStatusCode.BadRequest, "Record 1: The input 'x' (integer) is missing");
        await ExpectAsync(client.PostAsJsonAsync(api, new object[] { new { x = 1 }, new { x = 2 }, new { x = "three" } }), HttpStatusCode.BadRequest, "Record 2: The input 'x' must be a whole number");
        await ExpectAsync(client.PostAsJsonAsync(api, new object[] { new { x = 1, z = 1 } }), HttpStatusCode.BadRequest, "Record 0: 'z' is not an input");
        await ExpectAsync(client.PostAsJsonAsync(api, new object[] { 5 }), HttpStatusCode.BadRequest, "Record 0: The body must be a JSON object");
        await ExpectAsync(client.PostAsJsonAsync(api + "?parallelCount=0", new[] { new { x = 1 } }), HttpStatusCode.BadRequest, "'parallelCount' must be at least 1");
        await ExpectAsync(client.PostAsJsonAsync(api + "?parallelCount=two", new[] { new { x = 1 } }), HttpStatusCode.BadRequest, "'parallelCount' must be a whole number");
        await ExpectAsync(client.PostAsJsonAsync(api, Enumerable.Range(0, 201).Select(x => new { x })), HttpStatusCode.RequestEntityTooLarge, "at most 200 records (Ferry:Batch:MaxRecords)");
        await ExpectAsync(client.PostAsync(api, new StringContent("[{\"x\":1},", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/9.9/batch", new[] { new { x = 1 } }), HttpStatusCode.NotFound, "no web service");
        await ExpectAsync(client.GetAsync($"{api}/x?showPartialResults=maybe"), HttpStatusCode.BadRequest, "'showPartialResults' must be true or false");

        using var list = await client.GetAsync(api);
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task Batch_ARecordWhoseCodeFails_IsThatRecordsSuccessFalse_NotAFailedBatch()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "y = 10 // x");
        var id = await BatchApi.StartAsync(client, $"{name}/1.0", new[] { new { x = 1 }, new { x = 0 }, new { x = 5 } }, parallelCount: 2);
        var status = await BatchApi.CompleteAsync(client, $"{name}/1.0", id);
        Assert.Equal("complete", status.State());
        var results = status.GetProperty("batchExecutionResults");
        Assert.Equal(10, results[0].GetProperty("outputParameters").GetProperty("y").GetInt32());
        Assert.False(results[1].GetProperty("success").GetBoolean());
        Assert.Contains("ZeroDivisionError", results[1].GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, results[2].GetProperty("outputParameters").GetProperty("y").GetInt32());
    }

    [Fact]
    public async Task Batch_ARecordEndingItsWorker_FailsAlone_TheOthersInItsChunkRunAgainAndSucceed()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "import os\nif x == 13: os._exit(3)\ny = x * 2");
        // One lane: the first chunk is one record, the next chunks are many, so record 13 shares its chunk.
        var id = await BatchApi.StartAsync(client, $"{name}/1.0", Enumerable.Range(0, 40).Select(x => new { x }), parallelCount: 1);
        var status = await BatchApi.CompleteAsync(client, $"{name}/1.0", id);
        Assert.Equal("complete", status.State());
        var results = status.GetProperty("batchExecutionResults").EnumerateArray().ToList();
        Assert.Equal(40, results.Count);
        Assert.False(results[13].GetProperty("success").GetBoolean());
        Assert.Contains("ended the worker", results[13].GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.All(results.Where((_, i) => i != 13).Select((r, i) => (r, x: i < 13 ? i : i + 1)), t => Assert.Equal(t.x * 2, t.r.GetProperty("outputParameters").GetProperty("y").GetInt32()));
    }

    [Fact]
    public async Task Batch_PartialResultsWhileRunning_ThenCancelDeletesIt()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "import time\ntime.sleep(0.1)\ny = x * 2");
        var service = $"{name}/1.0";
        var id = await BatchApi.StartAsync(client, service, Enumerable.Range(0, 100).Select(x => new { x }), parallelCount: 1);

        var partial = await BatchApi.PollAsync(client, service, id, s => s.Completed() >= 3, partial: true);
        Assert.Equal("inProgress", partial.State());
        var results = partial.GetProperty("batchExecutionResults");
        Assert.Equal(100, results.GetArrayLength()); // index i is record i
        Assert.Equal(0, results[0].GetProperty("outputParameters").GetProperty("y").GetInt32());
        Assert.Equal(4, results[2].GetProperty("outputParameters").GetProperty("y").GetInt32());
        Assert.Equal(JsonValueKind.Null, results[99].ValueKind);
        Assert.Equal(0, (await BatchApi.StatusAsync(client, service, id)).GetProperty("batchExecutionResults").GetArrayLength()); // not asked for

        using (var cancel = await client.DeleteAsync($"/api/{service}/batch/{id}"))
        {
            Assert.Equal(id, (await HttpAssert.OkJsonAsync(cancel))[0].GetString());
        }

        await ExpectAsync(client.GetAsync($"/api/{service}/batch/{id}"), HttpStatusCode.NotFound, "no batch execution");
        await ExpectAsync(client.DeleteAsync($"/api/{service}/batch/{id}"), HttpStatusCode.NotFound, "no batch execution");
        using var list = await client.GetAsync($"/api/{service}/batch");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());

        // The pool is free again for a single call, at once.
        using var single = await client.PostAsJsonAsync($"/api/{service}", new { x = 21 });
        Assert.Equal(42, (await HttpAssert.OkJsonAsync(single)).GetProperty("outputParameters").GetProperty("y").GetInt32());
    }

    [Fact]
    public async Task Batch_OutputFilesPerRecord_AreListedAndServed()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = "svc" + Guid.NewGuid().ToString("N")[..8];
        using (var published = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "open('out.txt', 'w').write('record %d' % x)\ny = x",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
            outputFileNames = new[] { "out.txt" },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        var service = $"{name}/1.0";
        var id = await BatchApi.StartAsync(client, service, new[] { new { x = 7 }, new { x = 8 } });
        Assert.Equal("complete", (await BatchApi.CompleteAsync(client, service, id)).State());
        using (var files = await client.GetAsync($"/api/{service}/batch/{id}/1/files"))
        {
            Assert.Equal("out.txt", (await HttpAssert.OkJsonAsync(files)).EnumerateArray().Single().GetString());
        }

        Assert.Equal("record 8", await client.GetStringAsync($"/api/{service}/batch/{id}/1/files/out.txt"));
        Assert.Equal("record 7", await client.GetStringAsync($"/api/{service}/batch/{id}/0/files/out.txt"));
        await ExpectAsync(client.GetAsync($"/api/{service}/batch/{id}/1/files/other.txt"), HttpStatusCode.NotFound, "no output file 'other.txt'");
        await ExpectAsync(client.GetAsync($"/api/{service}/batch/{id}/2/files"), HttpStatusCode.NotFound, "no record 2");
        await ExpectAsync(client.GetAsync($"/api/{service}/batch/{id}/-1/files"), HttpStatusCode.BadRequest, "whole number");
    }

    [Fact]
    public async Task Batches_BelongToTheirStarter_OthersGet404_OwnerSeesAll()
    {
        using var admin = await factory.LoggedInClientAsync();
        using var alice = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Reader), "user-Passw0rd!");
        using var bob = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Contributor), "user-Passw0rd!");
        var name = await PublishAsync(admin, "y = x * 2");
        var service = $"{name}/1.0";
        var id = await BatchApi.StartAsync(alice, service, new[] { new { x = 1 } });
        Assert.Equal("complete", (await BatchApi.CompleteAsync(alice, service, id)).State());

        await ExpectAsync(bob.GetAsync($"/api/{service}/batch/{id}"), HttpStatusCode.NotFound, "no batch execution");
        await ExpectAsync(bob.GetAsync($"/api/{service}/batch/{id}/0/files"), HttpStatusCode.NotFound, "no batch execution");
        await ExpectAsync(bob.DeleteAsync($"/api/{service}/batch/{id}"), HttpStatusCode.NotFound, "no batch execution");
        using (var list = await bob.GetAsync($"/api/{service}/batch"))
        {
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
        }

        Assert.Equal("complete", (await BatchApi.StatusAsync(admin, service, id)).State());
        using (var list = await admin.GetAsync($"/api/{service}/batch"))
        {
            Assert.Equal(id, (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Single().GetString());
        }

        using var deleted = await admin.DeleteAsync($"/api/{service}/batch/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Fact]
    public async Task PatchWhileRunning_LaterRecordsRunThePatchedCode_DeleteWhileRunning_TakesTheBatches()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "import time\ntime.sleep(0.05)\ny = x * 2");
        var service = $"{name}/1.0";
        var id = await BatchApi.StartAsync(client, service, Enumerable.Range(1, 40).Select(x => new { x }), parallelCount: 1);
        await BatchApi.PollAsync(client, service, id, s => s.Completed() >= 2);
        using (var patch = await client.PatchAsJsonAsync($"/services/{service}", new { code = "import time\ntime.sleep(0.05)\ny = x * 3" }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var status = await BatchApi.CompleteAsync(client, service, id);
        Assert.Equal("complete", status.State());
        var ys = status.GetProperty("batchExecutionResults").EnumerateArray().Select((r, i) => (X: i + 1, Y: r.GetProperty("outputParameters").GetProperty("y").GetInt32())).ToList();
        Assert.All(ys, r => Assert.True(r.Y == r.X * 2 || r.Y == r.X * 3, $"record {r.X}: {r.Y}"));
        Assert.Equal(2, ys[0].Y);
        Assert.Equal(120, ys[^1].Y);

        var running = await BatchApi.StartAsync(client, service, Enumerable.Range(1, 40).Select(x => new { x }), parallelCount: 1);
        await BatchApi.PollAsync(client, service, running, s => s.Completed() >= 2);
        using (var delete = await client.DeleteAsync($"/services/{service}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        await ExpectAsync(client.GetAsync($"/api/{service}/batch/{running}"), HttpStatusCode.NotFound, "no web service");
        var republished = await client.PostAsJsonAsync($"/services/{service}", new
        {
            code = "y = x",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        });
        Assert.Equal(HttpStatusCode.Created, republished.StatusCode);
        using var list = await client.GetAsync($"/api/{service}/batch");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength()); // the old version's batches went with it
    }

    [Fact]
    public async Task SingleCall_WhileABatchRuns_GoesToAWorkerOfItsOwn_NeverBehindARecord()
    {
        using var client = await factory.LoggedInClientAsync();
        // y: the process that ran the call, and its nice value (batch workers run niced).
        var name = await PublishAsync(client, "import os, time\ntime.sleep(x / 1000)\ny = os.getpid() * 100 + os.nice(0)");
        var service = $"{name}/1.0";
        using (var pool = await client.PostAsJsonAsync($"/services/{service}/pool", new { InitialPoolSize = 1, MaxPoolSize = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, pool.StatusCode);
        }

        var single = await ConsumeAsync(client, service, 0); // the single calls' only worker, warm
        var id = await BatchApi.StartAsync(client, service, Enumerable.Repeat(new { x = 400 }, 8), parallelCount: 4);
        await BatchApi.PollAsync(client, service, id, s => s.Completed() >= 1);
        Assert.Equal(single, await ConsumeAsync(client, service, 0)); // same worker, not niced, while the records run
        Assert.Equal(0, single % 100);

        var status = await BatchApi.CompleteAsync(client, service, id);
        var records = status.GetProperty("batchExecutionResults").EnumerateArray().Select(r => r.GetProperty("outputParameters").GetProperty("y").GetInt32()).ToList();
        Assert.All(records, y => Assert.Equal(10, y % 100)); // niced
        Assert.DoesNotContain(single, records.Select(y => y - 10)); // the batch's own workers, not the single calls' (whose pool is of one)
    }

    [Fact]
    public async Task BatchWorkers_KeepOffTheReservedCore_WhileSingleCallsCome_AndHaveEveryCoreASecondAfter()
    {
        using var client = await factory.LoggedInClientAsync();
        // y: the CPUs the code ran on, as a bit mask.
        var name = await PublishAsync(client, "import os\ny = sum(1 << c for c in os.sched_getaffinity(0))");
        var service = $"{name}/1.0";
        var every = await ConsumeAsync(client, service, 0); // a single call's worker runs wherever the server may
        var lowest = every & -every;
        var kept = every == lowest ? every : every & ~lowest; // Ferry:WebServices:ReservedCores = 1: the lowest is left to single calls

        Assert.All(await RunBatchAsync(), y => Assert.Equal(kept, y));
        factory.Clock.Advance(TimeSpan.FromSeconds(2)); // a second and more without a single call
        Assert.All(await RunBatchAsync(), y => Assert.Equal(every, y)); // the same workers, moved back

        async Task<List<int>> RunBatchAsync()
        {
            var id = await BatchApi.StartAsync(client, service, Enumerable.Repeat(new { x = 1 }, 4), parallelCount: 2);
            var status = await BatchApi.CompleteAsync(client, service, id);
            return [.. status.GetProperty("batchExecutionResults").EnumerateArray().Select(r => r.GetProperty("outputParameters").GetProperty("y").GetInt32())];
        }
    }

    private static async Task<int> ConsumeAsync(HttpClient client, string service, int x)
    {
        using var response = await client.PostAsJsonAsync($"/api/{service}", new { x });
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("outputParameters").GetProperty("y").GetInt32();
    }

    [Fact]
    public async Task ServiceSwagger_ListsTheSixBatchOperations()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client, "y = x * 2");
        using var response = await client.GetAsync($"/api/{name}/1.0/swagger.json");
        var document = await HttpAssert.OkJsonAsync(response);
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Key: $"{o.Name.ToUpperInvariant()} {p.Name}", Id: o.Value.GetProperty("operationId").GetString())))
            .ToDictionary(o => o.Key, o => o.Id);
        var api = $"/api/{name}/1.0/batch";
        Assert.Equal("StartBatchExecution", operations[$"POST {api}"]);
        Assert.Equal("GetBatchExecutions", operations[$"GET {api}"]);
        Assert.Equal("GetBatchExecutionStatus", operations[$"GET {api}/{{executionId}}"]);
        Assert.Equal("CancelAndDeleteBatchExecution", operations[$"DELETE {api}/{{executionId}}"]);
        Assert.Equal("GetBatchExecutionFiles", operations[$"GET {api}/{{executionId}}/{{index}}/files"]);
        Assert.Equal("GetBatchExecutionFile", operations[$"GET {api}/{{executionId}}/{{index}}/files/{{fileName}}"]);
        Assert.Equal("#/definitions/InputParameters", document.GetProperty("paths").GetProperty(api).GetProperty("post").GetProperty("parameters")[0].GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());
        Assert.True(document.GetProperty("definitions").TryGetProperty("BatchWebServiceResult", out _));
    }

    private static async Task<string> PublishAsync(HttpClient client, string code)
    {
        var name = "svc" + Guid.NewGuid().ToString("N")[..8];
        using var response = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code,
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return name;
    }

    private static async Task ExpectAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string fragment)
    {
        using var response = await call;
        await HttpAssert.ErrorAsync(response, status, fragment);
    }

    /// <summary>A server that takes at most 200 records per batch.</summary>
    public sealed class BatchFactory() : FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Batch:MaxRecords"] = "200" });
}
