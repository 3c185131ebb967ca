using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Snapshots;

/// <summary>A session's files come back whole from its snapshot, whatever their shape.</summary>
public sealed class SnapshotFilesTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task Snapshot_SparseAndTrailingDataFiles_ComeBackWhole(string runtime)
    {
        var sizes = Code.Of(runtime,
            python: "import os\nsizes = {n: os.path.getsize(n) for n in sorted(os.listdir('.'))}",
            r: "n <- sort(list.files('.'))\nsizes <- setNames(as.list(file.size(n)), n)");
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, id, Code.Of(runtime,
            python: "import os\nopen('a.bin', 'wb').write(b'a' * 1000)\nf = open('sp.bin', 'wb')\nf.truncate(20 << 20)\nf.close()\nf = open('one.bin', 'wb')\nf.seek(10 << 20)\nf.write(b'x')\nf.close()",
            r: "writeBin(charToRaw(strrep('a', 1000)), 'a.bin')\ncon <- file('sp.bin', 'wb')\ninvisible(seek(con, 20 * 2^20, rw = 'write'))\ntruncate(con)\nclose(con)\ncon <- file('one.bin', 'wb')\ninvisible(seek(con, 10 * 2^20, rw = 'write'))\nwriteBin(charToRaw('x'), con)\nclose(con)"));
        var before = (await SessionApi.RunAsync(client, id, sizes, "sizes"))["sizes"].ToString();
        string snapshot;
        using (var created = await client.PostAsJsonAsync($"/sessions/{id}/snapshot", new { name = "s" }))
        {
            snapshot = (await HttpAssert.OkJsonAsync(created)).GetProperty("snapshotId").GetString()!;
        }

        using (var fromSnapshot = await client.PostAsJsonAsync("/sessions", new { runtimeType = runtime, snapshotId = snapshot }))
        {
            var other = (await HttpAssert.OkJsonAsync(fromSnapshot)).GetProperty("sessionId").GetString()!;
            Assert.Equal(before, (await SessionApi.RunAsync(client, other, sizes, "sizes"))["sizes"].ToString());
        }

        (await client.PostAsync($"/sessions/{id}/loadsnapshot/{snapshot}", null)).EnsureSuccessStatusCode();
        Assert.Equal(before, (await SessionApi.RunAsync(client, id, sizes, "sizes"))["sizes"].ToString());
    }

    [Fact]
    public async Task LoadSnapshot_WithAFileInTheWay_Is409AndChangesNothing()
    {
        using var client = await factory.LoggedInClientAsync();
        var source = await SessionApi.CreateAsync(client, "Python");
        await SessionApi.RunAsync(client, source, "open('a.txt', 'w').write('NEW')\nopen('z.txt', 'w').write('NEW')\nv = 'new'");
        string snapshot;
        using (var created = await client.PostAsJsonAsync($"/sessions/{source}/snapshot", new { name = "s" }))
        {
            snapshot = (await HttpAssert.OkJsonAsync(created)).GetProperty("snapshotId").GetString()!;
        }

        var target = await SessionApi.CreateAsync(client, "Python");
        await SessionApi.RunAsync(client, target, "import os\nopen('a.txt', 'w').write('OLD')\nos.mkdir('z.txt')\nv = 'old'");
        using (var load = await client.PostAsync($"/sessions/{target}/loadsnapshot/{snapshot}", null))
        {
            await HttpAssert.ErrorAsync(load, HttpStatusCode.Conflict, "'z.txt' is a directory; nothing was loaded");
        }

        var after = await SessionApi.RunAsync(client, target, "a = open('a.txt').read()", "a", "v");
        Assert.Equal("OLD", after["a"].GetString());
        Assert.Equal("old", after["v"].GetString());
    }
}
