using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>The real <c>./ferry serve</c> and <c>./ferry admin</c>, driven over HTTP and the command line.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Fact]
    public async Task Serve_LoginStatusAnd401_ThenRestartKeepsEverything()
    {
        string refreshToken;
        await using (var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password"))
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            using (var anonymous = await client.GetAsync("/status"))
            {
                await HttpAssert.ErrorAsync(anonymous, HttpStatusCode.Unauthorized, "Bearer");
            }

            var tokens = await LoginAsync(client, "admin", "secret-password");
            refreshToken = tokens.GetProperty("refresh_token").GetString()!;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
            using var status = await client.GetAsync("/status");
            var tree = await HttpAssert.OkJsonAsync(status);
            Assert.Equal("pass", tree.GetProperty("components").GetProperty("database").GetProperty("statusCode").GetString());

            using var swagger = await client.GetAsync("/swagger/v1/swagger.json");
            Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
        }

        await using (var restarted = await FerryProcess.ServeAsync(dataDirectory, adminPassword: null))
        {
            using var client = new HttpClient { BaseAddress = restarted.BaseAddress };
            await LoginAsync(client, "admin", "secret-password");
            using var renewed = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken });
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        }
    }

    [Fact]
    public async Task Serve_NoAdminPassword_GeneratesOneOwnerOnlyAndPrintsIt()
    {
        await using var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: null);
        var file = Path.Combine(dataDirectory, "initial-admin-password");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var password = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Contains(password, server.Output, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        await LoginAsync(client, "admin", password);
    }

    [Fact]
    public async Task Serve_AdminPasswordFromEnvironment_IsNotInheritedByUserCode()
    {
        await using var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password");
        using var client = await server.LoggedInClientAsync("admin", "secret-password");
        var session = await SessionApi.CreateAsync(client);
        var seen = await SessionApi.RunAsync(client, session, "import os\nseen = os.environ.get('FERRY_ADMIN_PASSWORD', '')", "seen");
        Assert.Equal("", seen["seen"].GetString());
    }

    [Fact]
    public async Task Serve_AdminPasswordShorterThanEight_StopsWithAClearError()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FerryProcess.ServeAsync(dataDirectory, adminPassword: "short"));
        Assert.Contains("FERRY_ADMIN_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 8 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCli_ManagesUsersWhileServerRuns()
    {
        await using var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password");
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var added = await FerryProcess.RunAsync(["admin", "user", "add", "bob", "--role", "reader", "--data-dir", dataDirectory], standardInput: "bob-Passw0rd");
        Assert.True(added.ExitCode == 0, added.Output);
        await LoginAsync(client, "bob", "bob-Passw0rd");

        var list = await FerryProcess.RunAsync(["admin", "user", "list", "--data-dir", dataDirectory]);
        Assert.Matches(@"bob\s+Reader", list.Output);
        Assert.Matches(@"admin\s+Owner", list.Output);

        var duplicate = await FerryProcess.RunAsync(["admin", "user", "add", "bob", "--password", "other-Passw0rd", "--data-dir", dataDirectory]);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Output, StringComparison.Ordinal);

        var badRole = await FerryProcess.RunAsync(["admin", "user", "set-role", "bob", "King", "--data-dir", dataDirectory]);
        Assert.Equal(1, badRole.ExitCode);
        Assert.Contains("'King' is not a role", badRole.Output, StringComparison.Ordinal);

        var changed = await FerryProcess.RunAsync(["admin", "user", "set-password", "bob", "--password", "new-Passw0rd", "--data-dir", dataDirectory]);
        Assert.True(changed.ExitCode == 0, changed.Output);
        using (var old = await client.PostAsJsonAsync("/login", new { username = "bob", password = "bob-Passw0rd" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        await LoginAsync(client, "bob", "new-Passw0rd");

        var removed = await FerryProcess.RunAsync(["admin", "user", "remove", "bob", "--data-dir", dataDirectory]);
        Assert.True(removed.ExitCode == 0, removed.Output);
        using var gone = await client.PostAsJsonAsync("/login", new { username = "bob", password = "new-Passw0rd" });
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }

    private static async Task<JsonElement> LoginAsync(HttpClient client, string user, string password)
    {
        using var response = await client.PostAsJsonAsync("/login", new { username = user, password });
        return await HttpAssert.OkJsonAsync(response);
    }
}
