using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.WebServices;

/// <summary>Resource limits on web service pools (issue 12): sane sizes, a worker budget with per-user shares, idle pools shrinking.</summary>
public sealed class PoolLimitTests
{
    // A worker is known by a name it gives itself in its working directory: in the sandbox every worker's process id is 2.
    private static string Pid(string runtime) => Code.Of(runtime,
        python: "import os, uuid\nif not os.path.exists('id'):\n    open('id', 'w').write(uuid.uuid4().hex)\npid = open('id').read()",
        r: "if (!file.exists('id')) cat(sprintf('%08x', sample.int(.Machine$integer.max, 4)), sep = '', file = 'id')\npid <- readLines('id', warn = FALSE)");

    [Theory]
    [InlineData(1, 2147483647, "MaxPoolSize <= 8")]
    [InlineData(-1, 2, "0 <= InitialPoolSize")]
    [InlineData(3, 2, "InitialPoolSize <= MaxPoolSize")]
    [InlineData(0, 0, "1 <= MaxPoolSize")]
    public async Task SetPool_OutsideSaneBounds_Is400AndKeepsThePool(int initial, int max, string fragment)
    {
        await using var factory = Limited(total: 16, perUser: 8);
        using var client = await factory.LoggedInClientAsync();
        await PublishAsync(client, "sized");
        using var bad = await client.PostAsJsonAsync("/services/sized/1.0/pool", new { InitialPoolSize = initial, MaxPoolSize = max });
        await HttpAssert.ErrorAsync(bad, HttpStatusCode.BadRequest, fragment);

        using var status = await client.GetAsync("/services/sized/1.0/pool");
        Assert.Equal("NotFound", (await HttpAssert.OkJsonAsync(status))[0].GetProperty("status").GetString());
        using var ok = await client.PostAsJsonAsync("/services/sized/1.0/pool", new { InitialPoolSize = 1, MaxPoolSize = 8 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_PublisherAtTheirShare_TakesTheirOwnIdleWorker_OthersKeepTheirs(string runtime)
    {
        await using var factory = Limited(total: 3, perUser: 1);
        using var alice = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Contributor), "user-Passw0rd!");
        using var bob = await factory.LoggedInClientAsync(await factory.AddUserAsync(Role.Contributor), "user-Passw0rd!");
        await PublishAsync(alice, "a1", runtime);
        await PublishAsync(alice, "a2", runtime);
        await PublishAsync(bob, "b1", runtime);

        var a1 = await PidAsync(alice, "a1");
        var b1 = await PidAsync(bob, "b1");
        var a2 = await PidAsync(alice, "a2"); // alice's one unit moves from a1 to a2
        Assert.NotEqual(a1, a2);
        await WaitForExitAsync(factory, a1);
        Assert.Equal(b1, await PidAsync(bob, "b1")); // bob's worker was not touched
        Assert.Equal(a2, await PidAsync(alice, "a2"));
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_WholeBudgetBusy_Is503WithRetryAfter_AndServesOnceAWorkerIsFree(string runtime)
    {
        await using var factory = Limited(total: 1, perUser: 1);
        using var client = await factory.LoggedInClientAsync();
        var mark = Guid.NewGuid().ToString("N");
        using (var publish = await client.PostAsJsonAsync("/services/busy/1.0", new
        {
            code = Code.Of(runtime, python: $"import time\nopen('{mark}', 'w').close()\ntime.sleep(4)\npid = 'busy'", r: $"invisible(file.create('{mark}'))\nSys.sleep(4)\npid <- 'busy'"),
            runtimeType = runtime,
            outputParameterDefinitions = new[] { new { name = "pid", type = "character" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        await PublishAsync(client, "other", runtime);
        var slow = client.PostAsJsonAsync("/api/busy/1.0", new { });
        for (var i = 0; i < 300 && WorkerFiles.Find(factory.DataDirectory, mark).Count == 0; i++)
        {
            await Task.Delay(100);
        }

        // The one worker the budget allows is busy: the other service cannot have one now.
        using (var refused = await client.PostAsJsonAsync("/api/other/1.0", new { }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using (var done = await slow)
        {
            Assert.True((await HttpAssert.OkJsonAsync(done)).GetProperty("success").GetBoolean());
        }

        Assert.NotEmpty(await PidAsync(client, "other")); // the freed worker moves to it
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Consume_PoolIdleForTheTimeout_ShrinksToZeroAndWarmsOnTheNextCall(string runtime)
    {
        await using var factory = Limited(total: 16, perUser: 8, idle: "00:10:00");
        using var client = await factory.LoggedInClientAsync();
        await PublishAsync(client, "sleepy", runtime);
        var first = await PidAsync(client, "sleepy");

        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        await WaitForExitAsync(factory, first);
        var second = await PidAsync(client, "sleepy");
        Assert.NotEqual(first, second);
        Assert.Equal(second, await PidAsync(client, "sleepy"));
    }

    [Fact]
    public async Task Pool_SizedThroughThePoolApi_ReachesAndKeepsItsInitialSize_InForkedCopies_AndShrinksWithIt()
    {
        await using var factory = Limited(total: 16, perUser: 8);
        using var client = await factory.LoggedInClientAsync();
        using (var publish = await client.PostAsJsonAsync("/services/forked/1.0", new
        {
            code = "import os\nwhere = os.path.basename(os.getcwd())",
            runtimeType = "Python",
            outputParameterDefinitions = new[] { new { name = "where", type = "character" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        using (var sized = await client.PostAsJsonAsync("/services/forked/1.0/pool", new { InitialPoolSize = 4, MaxPoolSize = 4 }))
        {
            Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        }

        await WaitForAsync(async () => await PoolStatusAsync(client, "forked") == "Success" && Copies(factory) == 4 + 1, "four workers and the template's spare copy");
        using (var consumed = await client.PostAsJsonAsync("/api/forked/1.0", new { }))
        {
            var where = (await HttpAssert.OkJsonAsync(consumed)).GetProperty("outputParameters").GetProperty("where").GetString();
            Assert.StartsWith(".ferry-copy-", where, StringComparison.Ordinal); // a copy of the version's template, in a directory of its own
        }

        await Task.Delay(500);
        Assert.Equal(4 + 1, Copies(factory)); // kept, with the spare made ahead
        Assert.Equal("Success", await PoolStatusAsync(client, "forked"));

        using (var shrunk = await client.PostAsJsonAsync("/services/forked/1.0/pool", new { InitialPoolSize = 1, MaxPoolSize = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, shrunk.StatusCode);
        }

        await WaitForAsync(() => Task.FromResult(Copies(factory) == 1 + 1), "the pool to shrink to one worker (and the spare)");
        using (var deleted = await client.DeleteAsync("/services/forked/1.0"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await WaitForAsync(() => Task.FromResult(Copies(factory) == 0), "the copies and their template to go with the version");
    }

    /// <summary>The working directories of the templates' copies.</summary>
    private static int Copies(FerryFactory factory) =>
        Directory.EnumerateDirectories(factory.DataDirectory, ".ferry-copy-*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }).Count();

    private static async Task<string?> PoolStatusAsync(HttpClient client, string name)
    {
        using var status = await client.GetAsync($"/services/{name}/1.0/pool");
        return (await HttpAssert.OkJsonAsync(status)).EnumerateArray().Single().GetProperty("status").GetString();
    }

    private static async Task WaitForAsync(Func<Task<bool>> done, string what)
    {
        for (var i = 0; i < 600 && !await done(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await done(), $"waited 60 s for {what}");
    }

    private static FerryFactory Limited(int total, int perUser, string idle = "00:00:00") => new(TestDirectory.Create(), new Dictionary<string, string?>
    {
        ["Ferry:WebServices:MaxResidentWorkers"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ferry:WebServices:MaxResidentWorkersPerUser"] = perUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ferry:WebServices:IdleTimeout"] = idle,
        ["Ferry:WebServices:MaxPoolSize"] = "1",
        ["Ferry:Workers:WarmPoolSize"] = "0",
    });

    private static async Task PublishAsync(HttpClient client, string name, string runtime = "Python")
    {
        using var publish = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = Pid(runtime),
            runtimeType = runtime,
            outputParameterDefinitions = new[] { new { name = "pid", type = "character" } },
        });
        Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
    }

    private static async Task<string> PidAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { });
        var result = await HttpAssert.OkJsonAsync(response);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        return result.GetProperty("outputParameters").GetProperty("pid").GetString()!;
    }

    /// <summary>Waits (30 s at most) for a worker to end: its working directory goes once its process has; stopping is asynchronous.</summary>
    private static async Task WaitForExitAsync(FerryFactory factory, string id)
    {
        for (var i = 0; i < 300 && Alive(factory, id); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(Alive(factory, id), $"worker {id} still runs");
    }

    private static bool Alive(FerryFactory factory, string id) =>
        WorkerFiles.Find(factory.DataDirectory, "id").Any(file =>
        {
            try
            {
                return File.ReadAllText(file) == id;
            }
            catch (IOException)
            {
                return false; // going as we look
            }
        });
}
