using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Cli;

/// <summary>
/// The client verbs as a user runs them: <c>./ferry login</c>, <c>services ...</c> and <c>runs logs</c>
/// against a real server, each test with its own config directory (where the login's token lives).
/// </summary>
public sealed class ClientCliTests(CliWorld world) : IClassFixture<CliWorld>, IDisposable
{
    private readonly string config = TestDirectory.Create();

    [Fact]
    public async Task Login_WrongPasswordExits1WithTheServersMessage_PasswordFromStdinKeepsAnOwnerOnlyToken()
    {
        var (wrong, wrongOutput) = await FerryAsync(["login", "--server", world.Url, "--username", "admin", "--password", "nope-nope-nope"]);
        Assert.Equal(1, wrong);
        Assert.Contains("401", wrongOutput, StringComparison.Ordinal);
        Assert.Contains("Invalid user name or password", wrongOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(CredentialsFile));

        var (right, output) = await FerryAsync(["login", "--server", world.Url, "--username", "admin"], CliWorld.AdminPassword);
        Assert.True(right == 0, output);
        Assert.Contains($"Logged in to {world.Url} as admin", output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CredentialsFile));
        using var stored = JsonDocument.Parse(await File.ReadAllTextAsync(CredentialsFile));
        Assert.False(string.IsNullOrEmpty(stored.RootElement.GetProperty("refreshToken").GetString()));

        // The token it kept works: the next verb needs no password.
        var (listed, list) = await FerryAsync(["services", "list"]);
        Assert.True(listed == 0, list);
        Assert.Contains("Iris", list, StringComparison.Ordinal);

        // An access token the server refuses is renewed with the refresh token, which the server rotates.
        var refreshToken = stored.RootElement.GetProperty("refreshToken").GetString();
        await File.WriteAllTextAsync(CredentialsFile, (await File.ReadAllTextAsync(CredentialsFile)).Replace(stored.RootElement.GetProperty("accessToken").GetString()!, "not-a-token", StringComparison.Ordinal));
        var (renewed, renewedList) = await FerryAsync(["services", "list"]);
        Assert.True(renewed == 0, renewedList);
        using var rotated = JsonDocument.Parse(await File.ReadAllTextAsync(CredentialsFile));
        Assert.NotEqual(refreshToken, rotated.RootElement.GetProperty("refreshToken").GetString());
        Assert.NotEqual("not-a-token", rotated.RootElement.GetProperty("accessToken").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CredentialsFile));

        var (badServer, badServerOutput) = await FerryAsync(["login", "--server", "not a url", "--username", "admin", "--password", "x"]);
        Assert.Equal(1, badServer);
        Assert.Contains("is not a server URL", badServerOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerbs_BeforeLogin_SayToLogIn()
    {
        var (exitCode, output) = await FerryAsync(["services", "list"]);
        Assert.Equal(1, exitCode);
        Assert.Contains("Not logged in", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_ListShowConsume_AsTablesAndJson_BadInputIsTheServersMessage()
    {
        await LoginAsync();
        var (_, table) = await FerryAsync(["services", "list"]);
        Assert.Matches(@"NAME\s+VERSION\s+RUNTIME", table);
        Assert.Matches(@"Iris\s+V1\.0\s+Python\s+admin", table);

        var (_, json) = await FerryAsync(["services", "list", "--output", "json"]);
        using (var list = JsonDocument.Parse(json))
        {
            Assert.Contains(list.RootElement.EnumerateArray(), s => s.GetProperty("name").GetString() == "Iris" && s.GetProperty("version").GetString() == "V1.0");
        }

        var (shown, show) = await FerryAsync(["services", "show", "Iris", "V1.0"]);
        Assert.True(shown == 0, show);
        Assert.Contains("flower_data (vector)", show, StringComparison.Ordinal);
        Assert.Contains(IrisService.Code, show, StringComparison.Ordinal);
        var (_, allVersions) = await FerryAsync(["services", "show", "Iris", "-o", "json"]);
        Assert.Equal("V1.0", JsonDocument.Parse(allVersions).RootElement[0].GetProperty("version").GetString());

        var (consumed, prediction) = await FerryAsync(["services", "consume", "Iris", "V1.0", "--input", "flower_data=[7,3.2,4.7,1.4]"]);
        Assert.True(consumed == 0, prediction);
        Assert.Matches(@"iris_species\s+\[""I\. versicolor""\]", prediction);

        var (_, answer) = await FerryAsync(["services", "consume", "Iris", "V1.0", "--json", """{"flower_data":[5.1,3.5,1.4,0.2]}""", "-o", "json"]);
        using (var result = JsonDocument.Parse(answer))
        {
            Assert.True(result.RootElement.GetProperty("success").GetBoolean());
            Assert.Equal("I. setosa", result.RootElement.GetProperty("outputParameters").GetProperty("iris_species")[0].GetString());
        }

        var (rejected, message) = await FerryAsync(["services", "consume", "Iris", "V1.0", "--input", "petals=[1]"]);
        Assert.Equal(1, rejected);
        Assert.Contains("400", message, StringComparison.Ordinal);
        Assert.Contains("petals", message, StringComparison.Ordinal);

        var (malformed, malformedMessage) = await FerryAsync(["services", "consume", "Iris", "V1.0", "--json", "{oops"]);
        Assert.Equal(1, malformed);
        Assert.Contains("--json is not valid JSON", malformedMessage, StringComparison.Ordinal);

        var (missing, missingMessage) = await FerryAsync(["services", "show", "Nope", "V1.0", "-o", "json"]);
        Assert.Equal(1, missing);
        Assert.Contains("\"message\":\"There is no web service 'Nope' version 'V1.0'.\"", missingMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServicesDelete_RemovesTheVersion_ThenShowIs404()
    {
        using (var admin = await world.AdminClientAsync())
        using (var published = await admin.PostAsJsonAsync("/services/Iris/V-delete", IrisService.Publish(world.SnapshotId)))
        {
            published.EnsureSuccessStatusCode();
        }

        await LoginAsync();
        var (deleted, output) = await FerryAsync(["services", "delete", "Iris", "V-delete"]);
        Assert.True(deleted == 0, output);
        Assert.Contains("Deleted Iris V-delete.", output, StringComparison.Ordinal);
        var (shown, message) = await FerryAsync(["services", "show", "Iris", "V-delete"]);
        Assert.Equal(1, shown);
        Assert.Contains("404", message, StringComparison.Ordinal);
        var (again, againMessage) = await FerryAsync(["services", "delete", "Iris", "V-delete"]);
        Assert.Equal(1, again);
        Assert.Contains("V-delete", againMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsLogs_FollowPrintsEveryLineToTheRunsEnd_JsonHasTheStatus_UnknownRunIsAnError()
    {
        using var admin = await world.AdminClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        const string script = "import time\nfor i in range(1, 4):\n    print(f'tick {i}', flush=True)\n    time.sleep(1)\n";
        var runId = await ArmApi.StartRunAsync(admin, workspace, "cli-exp", ("ticks.py", script), """{"configuration":{"script":"ticks.py"}}""");
        var group = workspace.Split('/')[4];

        await LoginAsync();
        var (followed, log) = await FerryAsync(["runs", "logs", runId, "--workspace", $"{group}/ws1", "--follow"]);
        Assert.True(followed == 0, log);
        Assert.Contains("tick 1\ntick 2\ntick 3", log, StringComparison.Ordinal);

        var (_, json) = await FerryAsync(["runs", "logs", runId, "--workspace", workspace, "--experiment", "cli-exp", "-o", "json"]);
        using (var result = JsonDocument.Parse(json))
        {
            Assert.Equal("Completed", result.RootElement.GetProperty("status").GetString());
            Assert.Contains("tick 3", result.RootElement.GetProperty("log").GetString(), StringComparison.Ordinal);
        }

        var (unknown, message) = await FerryAsync(["runs", "logs", "no-such-run", "--workspace", $"{group}/ws1"]);
        Assert.Equal(1, unknown);
        Assert.Contains("has no run 'no-such-run'", message, StringComparison.Ordinal);

        var (badWorkspace, badMessage) = await FerryAsync(["runs", "logs", runId, "--workspace", "just-one-part"]);
        Assert.Equal(1, badWorkspace);
        Assert.Contains("is not a workspace", badMessage, StringComparison.Ordinal);
    }

    public void Dispose() => TestDirectory.TryDelete(config);

    private string CredentialsFile => Path.Combine(config, "ferry", "credentials.json");

    private async Task LoginAsync()
    {
        var (exitCode, output) = await FerryAsync(["login", "--server", world.Url, "--username", "admin", "--password", CliWorld.AdminPassword]);
        Assert.True(exitCode == 0, output);
    }

    private Task<(int ExitCode, string Output)> FerryAsync(string[] arguments, string? standardInput = null) =>
        FerryProcess.RunAsync(arguments, standardInput, new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config, ["FERRY_PASSWORD"] = "" });
}
