using System.Net;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>What user code leaves in its directory (names that are not UTF-8, say) goes with its session, and never stops a start.</summary>
public sealed class LeftoverTests
{
    private const string NotUtf8 = "import os\nos.mkdir(b'dir\\xff')\nopen(b'dir\\xff/file\\xfe', 'w').write('x')";

    [Fact]
    public async Task SessionWhoseCodeMadeNamesThatAreNotUtf8_ClosesWithItsDirectory_AndTheServerStartsAgain()
    {
        var data = TestDirectory.Create();
        await using (var first = new FerryFactory(data) { KeepDataDirectory = true })
        {
            using var client = await first.LoggedInClientAsync();
            var closed = await SessionApi.CreateAsync(client, "Python");
            await SessionApi.RunAsync(client, closed, NotUtf8);
            using (var close = await client.DeleteAsync($"/sessions/{closed}"))
            {
                Assert.Equal(HttpStatusCode.OK, close.StatusCode);
            }

            Assert.False(Directory.Exists(Path.Combine(first.DataDirectory, "sessions", closed)));
        }

        // What a session still open when the server died leaves (its directory is cleared at the next start), made as its code made it.
        const string Plant = "import os, sys\nos.makedirs(sys.argv[1])\nos.chdir(sys.argv[1])\nos.mkdir(b'dir\\xff')\nopen(b'dir\\xff/file\\xfe', 'w').write('x')";
        using (var python = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", Plant, Path.Combine(data, "sessions", "crashed")]))
        {
            python.WaitForExit();
            Assert.Equal(0, python.ExitCode);
        }

        await using var second = new FerryFactory(data);
        using var again = await second.LoggedInClientAsync();
        using var status = await again.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var sessions = Path.Combine(data, "sessions");
        Assert.True(!Directory.Exists(sessions) || !Directory.EnumerateFileSystemEntries(sessions).Any());
    }
}
