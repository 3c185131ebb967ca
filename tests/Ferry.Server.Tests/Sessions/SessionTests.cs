using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>Remote Python and R sessions through the public API, with real interpreters.</summary>
public sealed class SessionTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task SeedWalk_TrainAndPredictIris_ReturnsSpecies(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);

        var train = await SessionApi.ExecuteAsync(client, id, new
        {
            code = Code.Of(runtime,
                python: "from sklearn import svm\nfrom sklearn import datasets\nclf = svm.SVC()\niris = datasets.load_iris()\nX, y = iris.data, iris.target\nclf.fit(X, y)",
                r: "X <- as.matrix(iris[, 1:4])\ny <- as.integer(iris$Species) - 1L\nclf <- function(v) y[which.min(colSums((t(X) - v)^2))]"),
        });
        Assert.True(train.GetProperty("success").GetBoolean(), train.ToString());

        var predict = await SessionApi.ExecuteAsync(client, id, new
        {
            code = Code.Of(runtime, python: "result = clf.predict([species_1])", r: "result <- clf(species_1)"),
            inputParameters = new object[] { new { name = "species_1", value = new[] { 7, 3.2, 4.7, 1.4 } } },
            outputParameters = new[] { "result" },
        });
        Assert.True(predict.GetProperty("success").GetBoolean(), predict.ToString());
        var output = predict.GetProperty("outputParameters")[0];
        Assert.Equal("result", output.GetProperty("name").GetString());
        Assert.Equal(Code.Of(runtime, python: "[1]", r: "1"), output.GetProperty("value").GetRawText()); // R has no scalars: a length-1 vector is one
        Assert.Equal("", predict.GetProperty("errorMessage").GetString());
        Assert.Equal(0, predict.GetProperty("changedFiles").GetArrayLength());

        using var history = await client.GetAsync($"/sessions/{id}/history");
        Assert.Equal(2, (await HttpAssert.OkJsonAsync(history)).GetArrayLength());

        using var list = await client.GetAsync("/sessions");
        var listed = (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.Equal("Session 1", listed.GetProperty("name").GetString());
        Assert.Equal(runtime, listed.GetProperty("runtimeType").GetString());
        Assert.Equal("admin", listed.GetProperty("owner").GetString());

        using var closed = await client.DeleteAsync($"/sessions/{id}");
        await HttpAssert.OkJsonAsync(closed);
        using var after = await client.GetAsync($"/sessions/{id}/history");
        await HttpAssert.ErrorAsync(after, HttpStatusCode.NotFound, "There is no session");
    }

    [Fact]
    public async Task History_KeepsTheNewestExecutionsUpToItsBound()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, "Python");
        var big = "x = 1\n#" + new string('#', 3_000_000);
        foreach (var code in new[] { "a = 1", big, big + "2", "y = 2" })
        {
            Assert.True((await SessionApi.ExecuteAsync(client, id, new { code })).GetProperty("success").GetBoolean());
        }

        // 4,194,304 characters at most: the first big one and what came before it are gone.
        using var history = await client.GetAsync($"/sessions/{id}/history");
        var kept = (await HttpAssert.OkJsonAsync(history)).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal([big + "2", "y = 2"], kept);
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Execute_ConsoleOutput_IsWhatTheInterpreterPrints(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        var result = await SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "x = 2\nprint(x + 3)", r: "x <- 2; x + 3") });
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        Assert.Equal(Code.Of(runtime, python: "5\n", r: "[1] 5\n"), result.GetProperty("consoleOutput").GetString());
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Execute_UserError_Is200WithSuccessFalse(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        var result = await SessionApi.ExecuteAsync(client, id, new
        {
            code = Code.Of(runtime, python: "print('hello')\nraise ValueError('bad value')", r: "print('hello')\nf <- function() stop('bad value')\nf()"),
        });
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal(Code.Of(runtime, python: "ValueError: bad value", r: "Error in f() : bad value"), result.GetProperty("errorMessage").GetString());
        Assert.Contains("hello", result.GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);

        using var console = await client.GetAsync($"/sessions/{id}/console-output");
        Assert.Contains(Code.Of(runtime, python: "Traceback", r: "Error in f() : bad value"), (await HttpAssert.OkJsonAsync(console)).GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Execute_WorkerExits_FailsThenSessionIsGone(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        var result = await SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "import os\nos._exit(1)", r: "quit(save = 'no', status = 1)") });
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Contains("exited unexpectedly", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        using var next = await client.PostAsJsonAsync($"/sessions/{id}/execute", new { code = Code.Of(runtime, python: "x = 1", r: "x <- 1") });
        await HttpAssert.ErrorAsync(next, HttpStatusCode.Gone, "no longer running");
        using var force = await client.DeleteAsync($"/sessions/{id}/force");
        await HttpAssert.OkJsonAsync(force);
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Cancel_RunningLoop_InterruptsAndKeepsSession(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        var running = SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "import time\nwhile True:\n    time.sleep(0.05)", r: "while (TRUE) Sys.sleep(0.05)") });
        await CancelUntilDoneAsync(id, running);

        var result = await running;
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Contains("interrupted", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        var after = await SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "y = 2", r: "y <- 2"), outputParameters = new[] { "y" } });
        Assert.True(after.GetProperty("success").GetBoolean());
        Assert.Equal(2, after.GetProperty("outputParameters")[0].GetProperty("value").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Cancel_LongSleep_EndsItAndTheSessionLivesOn(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, id, Code.Of(runtime, python: "kept = 42", r: "kept <- 42"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var running = SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "import time\ntime.sleep(30)", r: "Sys.sleep(30)") });
        await CancelUntilDoneAsync(id, running);

        var result = await running;
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Contains("interrupted", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(25), $"The sleep was not cut short: {started.Elapsed}");
        var after = await SessionApi.RunAsync(client, id, "", "kept");
        Assert.Equal(42, after["kept"].GetInt32());
    }

    [Fact]
    public async Task OtherUser_Gets404()
    {
        using var admin = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(admin);
        var other = await factory.AddUserAsync(Role.Contributor);
        using var client = await factory.LoggedInClientAsync(other, "user-Passw0rd!");
        using var response = await client.PostAsJsonAsync($"/sessions/{id}/execute", new { code = "x = 1" });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, "There is no session");
        using var list = await client.GetAsync("/sessions");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Theory]
    [InlineData("{\"runtimeType\":\"Cobol\"}", "not valid JSON")]
    public async Task Create_UnsupportedRuntime_Returns400(string json, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.PostAsync("/sessions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, fragment);
    }

    [Fact]
    public async Task Execute_MissingCode_Returns400()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        using var response = await client.PostAsJsonAsync($"/sessions/{id}/execute", new { inputParameters = Array.Empty<object>() });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "'code' is required");
    }

    /// <summary>Cancels the session's execution from a second client every 50 ms until it ends (10 s at most).</summary>
    private async Task CancelUntilDoneAsync(string id, Task running)
    {
        using var canceller = await factory.LoggedInClientAsync();
        for (var i = 0; i < 200 && !running.IsCompleted; i++)
        {
            using var cancel = await canceller.PostAsync($"/sessions/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            await Task.Delay(50);
        }
    }
}
