using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>Remote Python sessions through the public API, with a real interpreter.</summary>
public sealed class SessionTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task SeedWalk_TrainAndPredictIris_ReturnsSpecies()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);

        var train = await SessionApi.ExecuteAsync(client, id, new
        {
            code = "from sklearn import svm\nfrom sklearn import datasets\nclf = svm.SVC()\niris = datasets.load_iris()\nX, y = iris.data, iris.target\nclf.fit(X, y)",
        });
        Assert.True(train.GetProperty("success").GetBoolean(), train.ToString());

        var predict = await SessionApi.ExecuteAsync(client, id, new
        {
            code = "result = clf.predict([species_1])",
            inputParameters = new object[] { new { name = "species_1", value = new[] { 7, 3.2, 4.7, 1.4 } } },
            outputParameters = new[] { "result" },
        });
        Assert.True(predict.GetProperty("success").GetBoolean(), predict.ToString());
        var output = predict.GetProperty("outputParameters")[0];
        Assert.Equal("result", output.GetProperty("name").GetString());
        Assert.Equal("[1]", output.GetProperty("value").GetRawText());
        Assert.Equal("", predict.GetProperty("errorMessage").GetString());
        Assert.Equal(0, predict.GetProperty("changedFiles").GetArrayLength());

        using var history = await client.GetAsync($"/sessions/{id}/history");
        Assert.Equal(2, (await HttpAssert.OkJsonAsync(history)).GetArrayLength());

        using var list = await client.GetAsync("/sessions");
        var listed = (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.Equal("Session 1", listed.GetProperty("name").GetString());
        Assert.Equal("Python", listed.GetProperty("runtimeType").GetString());
        Assert.Equal("admin", listed.GetProperty("owner").GetString());

        using var closed = await client.DeleteAsync($"/sessions/{id}");
        await HttpAssert.OkJsonAsync(closed);
        using var after = await client.GetAsync($"/sessions/{id}/history");
        await HttpAssert.ErrorAsync(after, HttpStatusCode.NotFound, "There is no session");
    }

    [Fact]
    public async Task Execute_UserError_Is200WithSuccessFalse()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        var result = await SessionApi.ExecuteAsync(client, id, new { code = "print('hello')\nraise ValueError('bad value')" });
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal("ValueError: bad value", result.GetProperty("errorMessage").GetString());
        Assert.Contains("hello", result.GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);

        using var console = await client.GetAsync($"/sessions/{id}/console-output");
        Assert.Contains("Traceback", (await HttpAssert.OkJsonAsync(console)).GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_WorkerExits_FailsThenSessionIsGone()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        var result = await SessionApi.ExecuteAsync(client, id, new { code = "import os\nos._exit(1)" });
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Contains("exited unexpectedly", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

        using var next = await client.PostAsJsonAsync($"/sessions/{id}/execute", new { code = "x = 1" });
        await HttpAssert.ErrorAsync(next, HttpStatusCode.Gone, "no longer running");
        using var force = await client.DeleteAsync($"/sessions/{id}/force");
        await HttpAssert.OkJsonAsync(force);
    }

    [Fact]
    public async Task Cancel_RunningLoop_InterruptsAndKeepsSession()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        var running = SessionApi.ExecuteAsync(client, id, new { code = "import time\nwhile True:\n    time.sleep(0.05)" });
        using var canceller = await factory.LoggedInClientAsync();
        for (var i = 0; i < 200 && !running.IsCompleted; i++)
        {
            using var cancel = await canceller.PostAsync($"/sessions/{id}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            await Task.Delay(50);
        }

        var result = await running;
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Contains("interrupted", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        var after = await SessionApi.ExecuteAsync(client, id, new { code = "y = 2", outputParameters = new[] { "y" } });
        Assert.True(after.GetProperty("success").GetBoolean());
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
}
