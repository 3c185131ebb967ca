using Ferry.Core.Execution;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Users;
using Ferry.Core.WebServices;
using Microsoft.Extensions.DependencyInjection;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.WebServices;

/// <summary>Publishing, roles and consumption of web services, with real Python and R interpreters.</summary>
public sealed class WebServiceTests(WebServiceTests.PoolFactory factory) : IClassFixture<WebServiceTests.PoolFactory>
{
    [Theory]
    [InlineData("""{"code":"y = x","runtimeType":"Python","inputParameterDefinitions":[{"name":"x","type":"float"}]}""", "unknown type 'float'")]
    [InlineData("""{"runtimeType":"Python"}""", "'code' is required")]
    [InlineData("""{"code":"y = 1","runtimeType":"Python","outputParameterDefinitions":[{"name":"y","type":"integer"},{"name":"y","type":"numeric"}]}""", "'y' is declared twice")]
    [InlineData("""{"code":"y = 1","runtimeType":"Python","outputFileNames":["../x"]}""", "not a valid file name")]
    [InlineData("""{"code":"y = 1","runtimeType":"Python","snapshotId":"no-such"}""", "no snapshot 'no-such'")]
    public async Task Publish_Invalid_Returns400AndStoresNothing(string body, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using var response = await client.PostAsync($"/services/{name}/1.0", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, fragment);
        using var list = await client.GetAsync($"/services/{name}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task Publish_ExistingVersion_Returns409_AndWithoutVersionGetsAGuid()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishDoubleAsync(client);
        using var again = await client.PostAsJsonAsync($"/services/{name}/1.0", Double());
        await HttpAssert.ErrorAsync(again, HttpStatusCode.Conflict, "exists already");

        using var unversioned = await client.PostAsJsonAsync($"/services/{name}", Double());
        Assert.Equal(HttpStatusCode.Created, unversioned.StatusCode);
        using var versions = await client.GetAsync($"/services/{name}");
        var listed = (await HttpAssert.OkJsonAsync(versions)).EnumerateArray().Select(s => s.GetProperty("version").GetString()!).ToList();
        Assert.Equal("1.0", listed[0]);
        Assert.True(Guid.TryParse(listed[1], out _), listed[1]);
    }

    [Fact]
    public async Task Roles_ReaderConsumesOnly_ContributorChangesOnlyItsOwn_OwnerAll()
    {
        using var admin = await factory.LoggedInClientAsync();
        using var alice = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Contributor), "user-Passw0rd!");
        using var bob = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Contributor), "user-Passw0rd!");
        using var reader = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Reader), "user-Passw0rd!");
        var name = await PublishDoubleAsync(alice);

        await ExpectAsync(reader.PostAsJsonAsync($"/services/{Unique()}/1.0", Double()), HttpStatusCode.Forbidden, "Contributor role");
        await ExpectAsync(reader.PatchAsJsonAsync($"/services/{name}/1.0", new { description = "x" }), HttpStatusCode.Forbidden, "needs the Contributor role or a stronger one; your role is Reader");
        await ExpectAsync(bob.PatchAsJsonAsync($"/services/{name}/1.0", new { description = "x" }), HttpStatusCode.Forbidden, "or an Owner can update");
        await ExpectAsync(bob.DeleteAsync($"/services/{name}/1.0"), HttpStatusCode.Forbidden, "or an Owner can delete");
        await ExpectAsync(bob.PostAsJsonAsync($"/services/{name}/2.0", Double()), HttpStatusCode.Forbidden, "belongs to");
        await ExpectAsync(alice.PostAsJsonAsync($"/services/{name}/1.0/pool", new { InitialPoolSize = 1, MaxPoolSize = 2 }), HttpStatusCode.Forbidden, "Owner");

        Assert.Equal(10, Y(await ConsumeAsync(reader, name, new { x = 5 })));
        Assert.Equal("read only", await PermissionAsync(reader, name));
        Assert.Equal("read only", await PermissionAsync(bob, name));
        Assert.Equal("read/write", await PermissionAsync(alice, name));
        Assert.Equal("read/write", await PermissionAsync(admin, name));

        await ExpectAsync(alice.PatchAsJsonAsync($"/services/{name}/1.0", new { description = "mine" }), HttpStatusCode.OK, "");
        await ExpectAsync(admin.PostAsJsonAsync($"/services/{name}/2.0", Double()), HttpStatusCode.Created, "");
        await ExpectAsync(admin.DeleteAsync($"/services/{name}/1.0"), HttpStatusCode.OK, "");
    }

    [Fact]
    public async Task Consume_BadInputs_Return400NamingThem_UnknownIs404()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishDoubleAsync(client);
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/1.0", new { }), HttpStatusCode.BadRequest, "input 'x' (integer) is missing");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 1, z = 2 }), HttpStatusCode.BadRequest, "'z' is not an input");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/1.0", new { x = "five" }), HttpStatusCode.BadRequest, "input 'x' must be a whole number");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 1.5 }), HttpStatusCode.BadRequest, "input 'x' must be a whole number");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/1.0", new[] { 1 }), HttpStatusCode.BadRequest, "must be a JSON object");
        using (var twice = new StringContent("""{"x":1,"x":2}""", System.Text.Encoding.UTF8, "application/json"))
        {
            await ExpectAsync(client.PostAsync($"/api/{name}/1.0", twice), HttpStatusCode.BadRequest, "Duplicate");
        }

        using (var huge = new StringContent("""{"x":1e400}""", System.Text.Encoding.UTF8, "application/json"))
        {
            await ExpectAsync(client.PostAsync($"/api/{name}/1.0", huge), HttpStatusCode.BadRequest, "The input 'x' holds 1e400, a number beyond a double's range");
        }

        using (var cased = new StringContent("""{"x":1,"X":2}""", System.Text.Encoding.UTF8, "application/json"))
        {
            await ExpectAsync(client.PostAsync($"/api/{name}/1.0", cased), HttpStatusCode.BadRequest, "Duplicate");
        }

        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/9.9", new { x = 1 }), HttpStatusCode.NotFound, "no web service");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{Unique()}/1.0", new { x = 1 }), HttpStatusCode.NotFound, "no web service");
        await ExpectAsync(client.GetAsync($"/api/{name}/9.9/swagger.json"), HttpStatusCode.NotFound, "no web service");
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_UserError_Is200SuccessFalse_OutputFilesAndWholeStrings(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        var publish = new
        {
            code = Code.Of(runtime,
                python: "if fail:\n    raise ValueError('asked to fail')\nlabel = 'virginica'\nopen('report.txt', 'w').write('r' + str(fail))",
                r: "if (fail) stop('asked to fail')\nlabel <- 'virginica'\ncat('r', fail, sep = '', file = 'report.txt')"),
            runtimeType = runtime,
            inputParameterDefinitions = new[] { new { name = "fail", type = "logical" } },
            outputParameterDefinitions = new[] { new { name = "label", type = "character" } },
            outputFileNames = new[] { "report.txt" },
            operationId = "classify",
        };
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0", publish), HttpStatusCode.Created, "");

        var failed = await ConsumeAsync(client, name, new { fail = true });
        Assert.False(failed.GetProperty("success").GetBoolean());
        Assert.Equal(Code.Of(runtime, python: "ValueError: asked to fail", r: "Error: asked to fail"), failed.GetProperty("errorMessage").GetString());
        Assert.Contains(Code.Of(runtime, python: "Traceback", r: "Error: asked to fail"), failed.GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);

        var ok = await ConsumeAsync(client, name, new { fail = false });
        Assert.True(ok.GetProperty("success").GetBoolean(), ok.ToString());
        Assert.Equal("virginica", ok.GetProperty("outputParameters").GetProperty("label").GetString());
        Assert.Equal(Code.Of(runtime, python: "rFalse", r: "rFALSE"), System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(ok.GetProperty("outputFiles").GetProperty("report.txt").GetString()!)));
        Assert.Equal(["report.txt"], ok.GetProperty("changedFiles").EnumerateArray().Select(f => f.GetString()!));

        using var swagger = await client.GetAsync($"/api/{name}/1.0/swagger.json");
        var path = (await HttpAssert.OkJsonAsync(swagger)).GetProperty("paths").GetProperty($"/api/{name}/1.0").GetProperty("post");
        Assert.Equal("classify", path.GetProperty("operationId").GetString());
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Patch_TakesEffectOnTheNextCall_InitCodeRunsBeforeCalls(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishInAsync(client, runtime);
        Assert.Equal(10, Y(await ConsumePatientlyAsync(client, name, new { x = 5 })));

        await ExpectAsync(client.PatchAsJsonAsync($"/services/{name}/1.0", new { initCode = Code.Of(runtime, python: "factor = 3", r: "factor <- 3"), code = Code.Of(runtime, python: "y = x * factor", r: "y <- x * factor") }), HttpStatusCode.OK, "");
        Assert.Equal(15, Y(await ConsumePatientlyAsync(client, name, new { x = 5 })));

        await ExpectAsync(client.PatchAsJsonAsync($"/services/{name}/1.0", new { inputParameterDefinitions = new[] { new { name = "x", type = "blob" } } }), HttpStatusCode.BadRequest, "unknown type 'blob'");
        Assert.Equal(15, Y(await ConsumePatientlyAsync(client, name, new { x = 5 })));
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_ConcurrentCallers_GetTheirOwnResults(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishInAsync(client, runtime, Code.Of(runtime, python: "import time\ntime.sleep(0.002)\ny = x * 2", r: "Sys.sleep(0.002)\ny <- x * 2"));
        Assert.Equal(0, Y(await ConsumePatientlyAsync(client, name, new { x = 0 }))); // a worker is up: the calls share it rather than wait on new ones
        var calls = Enumerable.Range(1, 16).Select(async x => (x, result: await ConsumePatientlyAsync(client, name, new { x })));
        foreach (var (x, result) in await Task.WhenAll(calls))
        {
            Assert.Equal(x * 2, Y(result));
        }
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_WorkerKilledMidCall_FailsCleanlyAndIsReplaced(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishInAsync(client, runtime, Code.Of(runtime, python: "import os\nif x < 0:\n    os._exit(9)\ny = x * 2", r: "if (x < 0) quit(save = 'no', status = 9)\ny <- x * 2"));
        var died = await ConsumeAsync(client, name, new { x = -1 });
        Assert.False(died.GetProperty("success").GetBoolean());
        Assert.Contains("being replaced", died.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, Y(await ConsumePatientlyAsync(client, name, new { x = 4 })));
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_SlowCallsWaitingForWorkers_GoToWhicheverWorkerFreesFirst(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        // A worker is known by its working directory's inode (its process id is 2 in each sandbox), or by R's per-process temp directory.
        var name = await PublishInAsync(client, runtime, Code.Of(runtime,
            python: "import os, time\ntime.sleep(0.4)\ny = os.stat('.').st_ino",
            r: "Sys.sleep(0.4)\nid <- utf8ToInt(basename(tempdir()))\ny <- as.integer(sum(id[5:8] * 128^(0:3)))")); // R's session temp directory, RtmpXXXXXX, is its own
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0/pool", new { InitialPoolSize = 2, MaxPoolSize = 2 }), HttpStatusCode.OK, "");
        for (var i = 0; i < 300 && await PoolStatusAsync(client, name) != "Success"; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal("Success", await PoolStatusAsync(client, name)); // both workers are up

        // Slow calls are not written behind one another: the four that wait are shared by the two workers.
        var results = await Task.WhenAll(Enumerable.Range(1, 6).Select(x => ConsumePatientlyAsync(client, name, new { x })));
        var perWorker = results.GroupBy(Y).Select(g => g.Count()).ToList();
        Assert.Equal(2, perWorker.Count);
        Assert.All(perWorker, count => Assert.InRange(count, 2, 4));
    }

    [Fact]
    public async Task Consume_DefinitionReadJustBeforeADelete_DoesNotBringThePoolBack()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishDoubleAsync(client);
        var stale = factory.Services.GetRequiredService<WebServiceCatalog>().Get(name, "1.0"); // what a consumer holds mid-call
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpectAsync(client.DeleteAsync($"/services/{name}/1.0"), HttpStatusCode.OK, "");

        var runner = factory.Services.GetRequiredService<IServiceRunner>();
        var call = new ServiceCall([new InputValue("x", 2, "integer")], [new OutputSpec("y", "integer")], []);
        var deleted = await Assert.ThrowsAsync<FerryException>(() => runner.RunAsync(stale.Definition, call, CancellationToken.None));
        Assert.Equal(FerryErrorKind.NotFound, deleted.Kind);

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0", Double("y = x * 3")), HttpStatusCode.Created, "");
        Assert.Equal(6, Y(await ConsumeAsync(client, name, new { x = 2 })));
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Pool_Saturated_Returns503WithRetryAfter_StatusAndDelete(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        // The slow call marks when it runs, so the second call surely finds the only worker busy.
        var started = Guid.NewGuid().ToString("N") + ".started";
        var name = await PublishInAsync(client, runtime, Code.Of(runtime,
            python: $"import time\nif x > 0:\n    open({JsonSerializer.Serialize(started)}, 'w').close()\ntime.sleep(x)\ny = x",
            r: $"if (x > 0) invisible(file.create({JsonSerializer.Serialize(started)}))\nSys.sleep(x)\ny <- x"));
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0/pool", new { initialpoolsize = 1, MAXPOOLSIZE = 1 }), HttpStatusCode.OK, "");
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0/pool", new { InitialPoolSize = 3, MaxPoolSize = 1 }), HttpStatusCode.BadRequest, "InitialPoolSize <= MaxPoolSize");
        await ExpectAsync(client.PostAsync($"/services/{name}/1.0/pool", new StringContent("", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "needs a JSON body");

        for (var i = 0; i < 600 && await PoolStatusAsync(client, name) != "Success"; i++)
        {
            await Task.Delay(100);
        }

        // On a loaded machine the slow call may still pass the factory's 2 s queue deadline (a
        // worker being replaced); it is sent again until it runs.
        var slow = client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 4 });
        for (var i = 0; i < 600 && WorkerFiles.Find(factory.DataDirectory, started).Count == 0; i++)
        {
            if (slow.IsCompleted && (await slow).StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                (await slow).Dispose();
                slow = client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 4 });
            }

            await Task.Delay(100);
        }

        Assert.True(
            WorkerFiles.Find(factory.DataDirectory, started).Count > 0,
            "The slow call did not start within 60 s" + (slow.IsCompleted ? $"; it answered {(int)(await slow).StatusCode}: {await (await slow).Content.ReadAsStringAsync()}" : "."));
        using (var busy = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 0 }))
        {
            await HttpAssert.ErrorAsync(busy, HttpStatusCode.ServiceUnavailable, "busy");
            Assert.NotNull(busy.Headers.RetryAfter);
        }

        using (var first = await slow)
        {
            Assert.True((await HttpAssert.OkJsonAsync(first)).GetProperty("success").GetBoolean());
        }

        using (var status = await client.GetAsync($"/services/{name}/1.0/pool"))
        {
            var entry = (await HttpAssert.OkJsonAsync(status)).EnumerateArray().Single();
            Assert.Equal("Success", entry.GetProperty("status").GetString());
            Assert.StartsWith("http://", entry.GetProperty("computeNodeEndpoint").GetString(), StringComparison.Ordinal);
        }

        await ExpectAsync(client.DeleteAsync($"/services/{name}/1.0/pool"), HttpStatusCode.OK, "");
        using var after = await client.GetAsync($"/services/{name}/1.0/pool");
        Assert.Equal("NotFound", (await HttpAssert.OkJsonAsync(after)).EnumerateArray().Single().GetProperty("status").GetString());
    }

    private static object Double(string code = "y = x * 2", string runtime = "Python") => new
    {
        code,
        runtimeType = runtime,
        inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
        outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
    };

    private static Task<string> PublishDoubleAsync(HttpClient client, string code = "y = x * 2") => PublishInAsync(client, "Python", code);

    /// <summary>Publishes y = x * 2 (or the code given) as a service of the runtime.</summary>
    private static async Task<string> PublishInAsync(HttpClient client, string runtime, string? code = null)
    {
        var name = Unique();
        code ??= Code.Of(runtime, python: "y = x * 2", r: "y <- x * 2");
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/1.0", Double(code, runtime)), HttpStatusCode.Created, "");
        return name;
    }

    private static async Task<JsonElement> ConsumeAsync(HttpClient client, string name, object inputs)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", inputs);
        return await HttpAssert.OkJsonAsync(response);
    }

    /// <summary>
    /// Consumes, trying again while the answer is 503: a call that needs a fresh worker (after a
    /// patch or a worker's death) or waits behind slow ones may pass this factory's 2 s queue
    /// deadline on a loaded machine; the behaviour under test is what answers, not how soon.
    /// </summary>
    private static async Task<JsonElement> ConsumePatientlyAsync(HttpClient client, string name, object inputs)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", inputs);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return await HttpAssert.OkJsonAsync(response);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The output y of a call that must have succeeded.</summary>
    private static int Y(JsonElement result)
    {
        Assert.True(result.GetProperty("success").GetBoolean(), result.GetRawText());
        return result.GetProperty("outputParameters").GetProperty("y").GetInt32();
    }

    private static async Task<string?> PoolStatusAsync(HttpClient client, string name)
    {
        using var status = await client.GetAsync($"/services/{name}/1.0/pool");
        return (await HttpAssert.OkJsonAsync(status)).EnumerateArray().Single().GetProperty("status").GetString();
    }

    private static async Task<string> PermissionAsync(HttpClient client, string name)
    {
        using var response = await client.GetAsync($"/services/{name}/1.0");
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("myPermissionOnService").GetString()!;
    }

    private static async Task ExpectAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string fragment)
    {
        using var response = await call;
        if (status is HttpStatusCode.OK or HttpStatusCode.Created)
        {
            Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            await HttpAssert.ErrorAsync(response, status, fragment);
        }
    }

    private static string Unique() => "svc" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// A server whose pools give up waiting quickly, so saturation shows in a test; its worker budget
    /// is large enough that the pools every test (for each runtime) leaves behind do not starve a later
    /// one's (PoolLimitTests is where budgets are tested).
    /// </summary>
    public sealed class PoolFactory() : FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
    {
        ["Ferry:WebServices:QueueTimeout"] = "00:00:02",
        ["Ferry:WebServices:MaxResidentWorkers"] = "64",
        ["Ferry:WebServices:MaxResidentWorkersPerUser"] = "64",
    });
}
