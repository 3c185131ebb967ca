using System.Net;
using System.Text.Json;
using Ferry.Core.Access;
using Ferry.Core.Users;
using Microsoft.Extensions.DependencyInjection;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>Per-user caps on runs (issue 12): one user's queue cannot fill the compute for everyone.</summary>
public sealed class RunLimitTests
{
    private const string Sleeper = """{"Configuration":{"Script":"sleep.py","Target":"local"}}""";

    [Fact]
    public async Task StartRun_BeyondTheUsersActiveRuns_Is429UntilOneEnds_OtherUsersUnaffected()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Runs:MaxActiveRunsPerUser"] = "1" });
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var first = await ArmApi.StartRunAsync(client, workspace, "capped", ("sleep.py", "import time\ntime.sleep(60)"), Sleeper);

        using (var second = await ArmApi.PostRunAsync(client, workspace, "capped", ("sleep.py", "print(1)"), Sleeper))
        {
            var text = await second.Content.ReadAsStringAsync();
            Assert.True(second.StatusCode == HttpStatusCode.TooManyRequests, text);
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            Assert.Equal("TooManyActiveRuns", error.GetProperty("code").GetString());
            Assert.Contains("at most 1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.NotNull(second.Headers.RetryAfter);
        }

        var otherName = await factory.AddUserAsync(Role.Contributor);
        await factory.Services.GetRequiredService<RoleAssignmentService>().AssignAsync(otherName, "Contributor", null, CancellationToken.None); // on the default subscription
        using var other = await factory.LoggedInClientAsync(otherName, "user-Passw0rd!");
        var theirs = await ArmApi.StartRunAsync(other, workspace, "capped", ("sleep.py", "print(1)"), Sleeper);
        await ArmApi.WaitForRunAsync(other, workspace, "capped", theirs);

        (await client.PostAsync($"/execution/v1.0{workspace}/experiments/capped/runId/{first}/cancel?{ArmApi.ApiVersion}", null)).Dispose();
        Assert.Equal("Canceled", (await ArmApi.WaitForRunAsync(client, workspace, "capped", first)).GetProperty("status").GetString());
        var third = await ArmApi.StartRunAsync(client, workspace, "capped", ("sleep.py", "print(1)"), Sleeper);
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "capped", third)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task StartRun_RacingSubmissions_CannotPassTheCap()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Runs:MaxActiveRunsPerUser"] = "2" });
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await ArmApi.PostRunAsync(client, workspace, "race", ("sleep.py", "import time\ntime.sleep(30)"), Sleeper);
            return response.StatusCode;
        }));
        Assert.Equal(2, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(4, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
    }
}
