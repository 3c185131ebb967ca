using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Snapshots;

/// <summary>Snapshots: saved from a session, listed, downloaded, loaded into sessions, owner-only.</summary>
public sealed class SnapshotTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Snapshot_LoadsIntoNewAndExistingSessions_WithFiles(string runtime)
    {
        using var client = await factory.LoggedInClientAsync();
        var source = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, source, Code.Of(runtime,
            python: "import numpy as np\nweights = np.array([1, 2, 3])\nopen('notes.txt', 'w').write('kept')\ndef scale(v):\n    return v * weights",
            r: "weights <- c(1L, 2L, 3L)\ncat('kept', file = 'notes.txt')\nscale <- function(v) v * weights"));
        using var created = await client.PostAsJsonAsync($"/sessions/{source}/snapshot", new { name = "weights" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var snapshot = (await HttpAssert.OkJsonAsync(created)).GetProperty("snapshotId").GetString()!;

        using (var content = await client.GetAsync($"/snapshots/{snapshot}"))
        {
            Assert.Equal("application/zip", content.Content.Headers.ContentType?.MediaType);
            using var zip = new ZipArchive(await content.Content.ReadAsStreamAsync());
            Assert.Equal(["files/notes.txt", "workspace.dill"], zip.Entries.Select(e => e.FullName).Order());
        }

        using (var fromSnapshot = await client.PostAsJsonAsync("/sessions", new { runtimeType = runtime, snapshotId = snapshot }))
        {
            var id = (await HttpAssert.OkJsonAsync(fromSnapshot)).GetProperty("sessionId").GetString()!;
            var outputs = await SessionApi.RunAsync(client, id, Code.Of(runtime,
                python: "scaled = scale(2)\nnotes = open('notes.txt').read()",
                r: "scaled <- scale(2)\nnotes <- readLines('notes.txt', warn = FALSE)"), "scaled", "notes");
            Assert.Equal("[2,4,6]", outputs["scaled"].GetRawText());
            Assert.Equal("kept", outputs["notes"].GetString());
        }

        var existing = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, existing, Code.Of(runtime, python: "weights = 'mine'\nother = 1", r: "weights <- 'mine'\nother <- 1"));
        using (var load = await client.PostAsync($"/sessions/{existing}/loadsnapshot/{snapshot}", null))
        {
            await HttpAssert.OkJsonAsync(load);
        }

        var merged = await SessionApi.RunAsync(client, existing, Code.Of(runtime, python: "w = list(weights)\no = other", r: "w <- weights\no <- other"), "w", "o");
        Assert.Equal("[1,2,3]", merged["w"].GetRawText());
        Assert.Equal(1, merged["o"].GetInt32());

        using (var deleted = await client.DeleteAsync($"/snapshots/{snapshot}"))
        {
            await HttpAssert.OkJsonAsync(deleted);
        }

        using var missing = await client.GetAsync($"/snapshots/{snapshot}");
        await HttpAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "no snapshot");
        using var fromDeleted = await client.PostAsJsonAsync("/sessions", new { runtimeType = runtime, snapshotId = snapshot });
        await HttpAssert.ErrorAsync(fromDeleted, HttpStatusCode.NotFound, "no snapshot");
    }

    [Fact]
    public async Task Snapshot_IsInvisibleToOtherUsers()
    {
        using var client = await factory.LoggedInClientAsync();
        var (_, snapshot) = await IrisService.TrainAndSnapshotAsync(client);
        var other = await factory.AddUserAsync(Role.Contributor);
        using var stranger = await factory.LoggedInClientAsync(other, "user-Passw0rd!");

        using (var list = await stranger.GetAsync("/snapshots"))
        {
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
        }

        using (var get = await stranger.GetAsync($"/snapshots/{snapshot}"))
        {
            await HttpAssert.ErrorAsync(get, HttpStatusCode.NotFound, "no snapshot");
        }

        using (var delete = await stranger.DeleteAsync($"/snapshots/{snapshot}"))
        {
            await HttpAssert.ErrorAsync(delete, HttpStatusCode.NotFound, "no snapshot");
        }

        using var publish = await stranger.PostAsJsonAsync("/services/Stolen/1", IrisService.Publish(snapshot));
        await HttpAssert.ErrorAsync(publish, HttpStatusCode.BadRequest, "no snapshot");
        using var still = await client.GetAsync($"/snapshots/{snapshot}");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }
}
