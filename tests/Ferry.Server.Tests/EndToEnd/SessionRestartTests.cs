using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>Sessions live with the server process: a restart ends them, cleanly reported, nothing left running.</summary>
public sealed class SessionRestartTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_EndsSessions_NoWorkerOutlivesTheServer(bool crash)
    {
        string id;
        IReadOnlyList<int> workers;
        await using (var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password"))
        {
            using var client = await server.LoggedInClientAsync("admin", "secret-password");
            id = await SessionApi.CreateAsync(client);
            var pid = (await SessionApi.RunAsync(client, id, "import os\npid = os.getpid()\nopen('kept.txt', 'w').write('x')", "pid"))["pid"].GetInt32();
            Assert.Equal(2, pid); // in a PID namespace of its own, under the sandbox's init
            workers = server.Descendants();
            Assert.NotEmpty(workers);

            // A long execution is running when the server goes away.
            _ = client.PostAsJsonAsync($"/sessions/{id}/execute", new { code = "import time\ntime.sleep(600)" });
            await Task.Delay(300);
            if (crash)
            {
                await server.CrashAsync();
            }
        }

        for (var i = 0; i < 50 && workers.Any(IsRunning); i++)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(workers, IsRunning);

        await using (var restarted = await FerryProcess.ServeAsync(dataDirectory, adminPassword: null))
        {
            using var client = await restarted.LoggedInClientAsync("admin", "secret-password");
            using var gone = await client.PostAsJsonAsync($"/sessions/{id}/execute", new { code = "x = 1" });
            await HttpAssert.ErrorAsync(gone, HttpStatusCode.NotFound, "when the server restarts");
            using var list = await client.GetAsync("/sessions");
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
            Assert.False(Directory.Exists(Path.Combine(dataDirectory, "sessions", id)));
            await SessionApi.CreateAsync(client);
        }
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
