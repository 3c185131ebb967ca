using System.Net;
using System.Net.Http.Json;
using Dapper;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Ferry.Server.Tests.Authorization;

/// <summary>Online endpoint keys: encrypted at rest, handed back by listKeys, strong when chosen by the caller, and upgraded from plain text.</summary>
public sealed class EndpointKeyTests
{
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task Keys_AreEncryptedAtRest_ListKeysHandsThemBack_KeyRingIsOwnerOnly()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var endpoint = await CreateEndpointAsync(client);
        var (primary, secondary) = await ListKeysAsync(client, endpoint);

        var stored = await StoredKeysAsync(factory.DataDirectory);
        Assert.All(stored, s => Assert.StartsWith("dp1:", s, StringComparison.Ordinal));
        Assert.DoesNotContain(stored, s => s.Contains(primary, StringComparison.Ordinal) || s.Contains(secondary, StringComparison.Ordinal));

        var ring = Path.Combine(factory.DataDirectory, "data-protection-keys");
        Assert.NotEmpty(Directory.GetFiles(ring, "*.xml"));
        Assert.All(Directory.GetFiles(ring), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(ring));
    }

    [Fact]
    public async Task RegenerateKeys_ChosenKeyUnder32Characters_Is400NamingTheRule_32IsAccepted()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var endpoint = await CreateEndpointAsync(client);
        var (primary, _) = await ListKeysAsync(client, endpoint);

        using (var weak = await client.PostAsJsonAsync($"{endpoint}/regenerateKeys?{Preview}", new { keyType = "Primary", keyValue = "a" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.Contains("at least 32 characters", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var spaced = await client.PostAsJsonAsync($"{endpoint}/regenerateKeys?{Preview}", new { keyType = "Primary", keyValue = new string(' ', 40) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, spaced.StatusCode);
            Assert.Contains("no spaces or control characters", await spaced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(primary, (await ListKeysAsync(client, endpoint)).Primary);
        var chosen = new string('k', 32);
        using (var strong = await client.PostAsJsonAsync($"{endpoint}/regenerateKeys?{Preview}", new { keyType = "Primary", keyValue = chosen }))
        {
            Assert.Equal(HttpStatusCode.OK, strong.StatusCode);
        }

        Assert.Equal(chosen, (await ListKeysAsync(client, endpoint)).Primary);
    }

    [Fact]
    public async Task PlaintextKeysFromAnOlderDatabase_AreEncryptedAtStartUp_AndStillWork()
    {
        var directory = TestDirectory.Create();
        string endpoint;
        const string legacy = "legacy-plaintext-key-0123456789abcdef";
        await using (var before = new FerryFactory(directory) { KeepDataDirectory = true })
        {
            using var client = await before.LoggedInClientAsync();
            endpoint = await CreateEndpointAsync(client);
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "ferry.db")}"))
        {
            await connection.ExecuteAsync("UPDATE online_endpoints SET primary_key = @legacy;", new { legacy });
        }

        await using var after = new FerryFactory(directory);
        using var restarted = await after.LoggedInClientAsync();
        Assert.Equal(legacy, (await ListKeysAsync(restarted, endpoint)).Primary);
        Assert.All(await StoredKeysAsync(directory), s => Assert.StartsWith("dp1:", s, StringComparison.Ordinal));
    }

    private static async Task<string> CreateEndpointAsync(HttpClient client)
    {
        var endpoint = $"{await ArmApi.CreateWorkspaceAsync(client)}/onlineEndpoints/keys-ep";
        using var put = await client.PutAsJsonAsync($"{endpoint}?{Preview}", new { location = "westus2", properties = new { authMode = "Key" } });
        Assert.Equal("Succeeded", await ArmApi.PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        return endpoint;
    }

    private static async Task<(string Primary, string Secondary)> ListKeysAsync(HttpClient client, string endpoint)
    {
        using var keys = await client.PostAsync($"{endpoint}/listKeys?{Preview}", null);
        var pair = await HttpAssert.OkJsonAsync(keys);
        return (pair.GetProperty("primaryKey").GetString()!, pair.GetProperty("secondaryKey").GetString()!);
    }

    private static async Task<List<string>> StoredKeysAsync(string directory)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "ferry.db")};Mode=ReadOnly");
        var rows = await connection.QueryAsync<(string Primary, string Secondary)>("SELECT primary_key, secondary_key FROM online_endpoints;");
        return [.. rows.SelectMany(r => new[] { r.Primary, r.Secondary })];
    }
}
