using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>Runs across a restart of the real server: the queued one waits it out, the running one ends Failed with the reason.</summary>
public sealed class RunRestartTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_QueuedRunStillRuns_RunningRunFailsWithReason(bool crash)
    {
        IReadOnlyList<int> children = [];
        string workspace, running, queued;
        await using (var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password"))
        {
            using var client = await server.LoggedInClientAsync("admin", "secret-password");
            workspace = await ArmApi.CreateWorkspaceAsync(client);
            using (var compute = await client.PutAsJsonAsync($"{workspace}/computes/one?{ArmApi.ApiVersion}", new
            {
                location = "centralus",
                properties = new { computeType = "AmlCompute", properties = new { scaleSettings = new { maxNodeCount = 1 } } },
            }))
            {
                await ArmApi.PollAsync(client, compute.Headers.GetValues("Azure-AsyncOperation").Single());
            }

            running = await StartAsync(client, workspace, "import time\ntime.sleep(120)");
            queued = await StartAsync(client, workspace, "print('after the restart')");
            for (var i = 0; i < 100 && await StatusAsync(client, workspace, running) != "Running"; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal("Queued", await StatusAsync(client, workspace, queued));
            children = server.Descendants();
            if (crash)
            {
                await server.CrashAsync();
            }
        }

        // The running script ends with the server, crash or not.
        for (var i = 0; i < 50 && children.Any(pid => Directory.Exists($"/proc/{pid}")); i++)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(children, pid => Directory.Exists($"/proc/{pid}"));

        await using (var restarted = await FerryProcess.ServeAsync(dataDirectory, adminPassword: null))
        {
            using var client = await restarted.LoggedInClientAsync("admin", "secret-password");
            var status = "";
            for (var i = 0; i < 300 && status != "Completed"; i++)
            {
                status = await StatusAsync(client, workspace, queued);
                await Task.Delay(100);
            }

            Assert.Equal("Completed", status);
            using var response = await client.GetAsync($"/history/v1.0{workspace}/experiments/restart/runs/{running}?{ArmApi.ApiVersion}");
            var run = await HttpAssert.OkJsonAsync(response);
            Assert.Equal("Failed", run.GetProperty("status").GetString());
            Assert.Contains("server", run.GetProperty("error").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static Task<string> StartAsync(HttpClient client, string workspace, string script) =>
        ArmApi.StartRunAsync(client, workspace, "restart", ("run.py", script), """{"Configuration":{"Script":"run.py","Target":"one"}}""");

    private static async Task<string> StatusAsync(HttpClient client, string workspace, string runId)
    {
        using var response = await client.GetAsync($"/history/v1.0{workspace}/experiments/restart/runs/{runId}?{ArmApi.ApiVersion}");
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("status").GetString()!;
    }
}
