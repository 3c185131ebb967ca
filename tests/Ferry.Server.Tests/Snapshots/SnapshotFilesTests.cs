using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Snapshots;

/// <summary>A session's files come back whole from its snapshot, whatever their shape.</summary>
public sealed class SnapshotFilesTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private const string Sizes = "import os\nsizes = {n: os.path.getsize(n) for n in sorted(os.listdir('.'))}";

    [Fact]
    public async Task Snapshot_SparseAndTrailingDataFiles_ComeBackWhole()
    {
        using var client = await factory.LoggedInClientAsync();
        var id = await SessionApi.CreateAsync(client);
        await SessionApi.RunAsync(client, id, "import os\nopen('a.bin', 'wb').write(b'a' * 1000)\nf = open('sp.bin', 'wb')\nf.truncate(20 << 20)\nf.close()\nf = open('one.bin', 'wb')\nf.seek(10 << 20)\nf.write(b'x')\nf.close()");
        var before = (await SessionApi.RunAsync(client, id, Sizes, "sizes"))["sizes"].ToString();
        string snapshot;
        using (var created = await client.PostAsJsonAsync($"/sessions/{id}/snapshot", new { name = "s" }))
        {
            snapshot = (await HttpAssert.OkJsonAsync(created)).GetProperty("snapshotId").GetString()!;
        }

        using (var fromSnapshot = await client.PostAsJsonAsync("/sessions", new { runtimeType = "Python", snapshotId = snapshot }))
        {
            var other = (await HttpAssert.OkJsonAsync(fromSnapshot)).GetProperty("sessionId").GetString()!;
            Assert.Equal(before, (await SessionApi.RunAsync(client, other, Sizes, "sizes"))["sizes"].ToString());
        }

        (await client.PostAsync($"/sessions/{id}/loadsnapshot/{snapshot}", null)).EnsureSuccessStatusCode();
        Assert.Equal(before, (await SessionApi.RunAsync(client, id, Sizes, "sizes"))["sizes"].ToString());
    }
}
