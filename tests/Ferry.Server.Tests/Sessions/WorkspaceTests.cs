using System.Net;
using System.Net.Http.Headers;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>Workspace objects as dill bytes (Python) or serialize() bytes (R), the way the clients ship models.</summary>
public sealed class WorkspaceTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task GetSetDelete_RoundTripsTheRuntimesBytes(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, id, Code.Of(runtime,
            python: "import numpy as np\nfrom sklearn import svm\nmodel = {'weights': np.array([1.5, 2.5]), 'name': 'w'}\nsquare = lambda v: v * v",
            r: "library(stats)\nmodel <- list(weights = c(1.5, 2.5), name = 'w')\nsquare <- function(v) v * v"));

        using (var list = await client.GetAsync($"/sessions/{id}/workspace"))
        {
            var names = (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Select(n => n.GetString()!).ToArray();
            Assert.Equal(["model", "square"], names); // modules (np, svm) and attached packages are not objects
        }

        using var got = await client.GetAsync($"/sessions/{id}/workspace/model");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("application/octet-stream", got.Content.Headers.ContentType?.MediaType);
        var bytes = await got.Content.ReadAsByteArrayAsync();
        using var square = await client.GetAsync($"/sessions/{id}/workspace/square");
        var squareBytes = await square.Content.ReadAsByteArrayAsync();

        if (runtime == "R")
        {
            Assert.Equal("X\n"u8.ToArray(), bytes[..2]); // serialize()'s XDR format
        }

        // Into another session, as a client posting dill.dumps(obj) or serialize(obj, NULL).
        var other = await SessionApi.CreateAsync(client, runtime);
        await SetAsync(client, other, "copy", bytes, HttpStatusCode.OK);
        await SetAsync(client, other, "f", squareBytes, HttpStatusCode.OK);
        var outputs = await SessionApi.RunAsync(client, other, Code.Of(runtime,
            python: "w = copy['weights'] * 2\nn = copy['name']\ns = f(3)",
            r: "w <- copy$weights * 2\nn <- copy$name\ns <- f(3)"), "w", "n", "s");
        Assert.Equal(Code.Of(runtime, python: "[3.0,5.0]", r: "[3,5]"), outputs["w"].GetRawText());
        Assert.Equal("w", outputs["n"].GetString());
        Assert.Equal(9, outputs["s"].GetInt32());

        using (var deleted = await client.DeleteAsync($"/sessions/{other}/workspace/copy"))
        {
            await HttpAssert.OkJsonAsync(deleted);
        }

        using var missing = await client.GetAsync($"/sessions/{other}/workspace/copy");
        await HttpAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "no object 'copy'");
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Set_NotTheRuntimesBytes_Returns400AndKeepsTheWorkspace(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, id, Code.Of(runtime, python: "x = 41", r: "x <- 41"));
        await SetAsync(client, id, "x", "not a pickle"u8.ToArray(), HttpStatusCode.BadRequest);
        await SetAsync(client, id, "not-a-name", "x"u8.ToArray(), HttpStatusCode.BadRequest);
        var outputs = await SessionApi.RunAsync(client, id, Code.Of(runtime, python: "y = x + 1", r: "y <- x + 1"), "y");
        Assert.Equal(42, outputs["y"].GetInt32());
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Workspace_DeadSession_Returns410_OtherUser404(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        var other = await factory.AddUserAsync(Role.Contributor);
        using (var stranger = await factory.LoggedInClientAsync(other, "user-Passw0rd!"))
        using (var hidden = await stranger.GetAsync($"/sessions/{id}/workspace"))
        {
            await HttpAssert.ErrorAsync(hidden, HttpStatusCode.NotFound, "There is no session");
        }

        await SessionApi.ExecuteAsync(client, id, new { code = Code.Of(runtime, python: "import os\nos._exit(3)", r: "quit(save = 'no', status = 3)") });
        using var list = await client.GetAsync($"/sessions/{id}/workspace");
        await HttpAssert.ErrorAsync(list, HttpStatusCode.Gone, "no longer running");
        using var get = await client.GetAsync($"/sessions/{id}/workspace/x");
        await HttpAssert.ErrorAsync(get, HttpStatusCode.Gone, "no longer running");
    }

    private static async Task SetAsync(HttpClient client, string id, string name, byte[] bytes, HttpStatusCode expected)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PostAsync($"/sessions/{id}/workspace/{name}", content);
        Assert.True(response.StatusCode == expected, await response.Content.ReadAsStringAsync());
    }
}
