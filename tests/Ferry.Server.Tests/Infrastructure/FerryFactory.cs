using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// A real Ferry server in memory over its own temporary data directory, with a hand-moved clock and
/// the log kept for inspection. Tokens come from the real login.
/// </summary>
public class FerryFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-Passw0rd!";

    public FerryFactory()
        : this(TestDirectory.Create())
    {
    }

    /// <summary>A server over an existing data directory, as after a restart.</summary>
    internal FerryFactory(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory;
        Settings = settings ?? new Dictionary<string, string?>();
    }

    public string DataDirectory { get; }

    /// <summary>A server over a fresh database of the shared PostgreSQL cluster.</summary>
    internal static async Task<FerryFactory> OnPostgresAsync(PostgresCluster cluster) => new(TestDirectory.Create(), new Dictionary<string, string?>
    {
        ["Ferry:Storage:Provider"] = "Postgres",
        ["Ferry:Storage:ConnectionString"] = await cluster.CreateDatabaseAsync(),
    });

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public ManualTimeProvider Clock { get; } = new();

    public LogCollector Logs { get; } = new();

    /// <summary>Leave the data directory behind on dispose, for a restart over it.</summary>
    public bool KeepDataDirectory { get; set; }

    public UserService Users => Services.GetRequiredService<UserService>();

    /// <summary>Adds a user with a unique name and returns the name.</summary>
    public async Task<string> AddUserAsync(Role role, string password = "user-Passw0rd!")
    {
        var name = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        await Users.AddAsync(name, password, role, CancellationToken.None);
        return name;
    }

    public async Task<TokenPair> LoginAsync(string userName = UserService.AdminName, string password = AdminPassword)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { username = userName, password });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new TokenPair(json.RootElement.GetProperty("access_token").GetString()!, json.RootElement.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>A client that sends the given access token.</summary>
    public HttpClient ClientWith(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public async Task<HttpClient> LoggedInClientAsync(string userName = UserService.AdminName, string password = AdminPassword) =>
        ClientWith((await LoginAsync(userName, password)).AccessToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!KeepDataDirectory)
        {
            TestDirectory.TryDelete(DataDirectory);
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Ferry:DataDirectory", DataDirectory);
        builder.UseSetting("Ferry:Server:AdminPassword", AdminPassword);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed record TokenPair(string AccessToken, string RefreshToken);

/// <summary>Temporary data directories, removed by the test that made them.</summary>
public static class TestDirectory
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "ferry-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // a process still holds a file; the temp folder is cleaned by the OS
        }
    }
}
