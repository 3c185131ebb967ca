using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Auth;

/// <summary>Issue 10's secrets: one key per purpose, tokens bound to their user, a sound bootstrap password.</summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task AccessToken_NamingAdminWithAnotherUsersLoginId_Is401()
    {
        await using var factory = new FerryFactory();
        var bob = await factory.AddUserAsync(Role.Contributor);
        var bobsToken = (await factory.LoginAsync(bob, "user-Passw0rd!")).AccessToken;
        var bobsLogin = Claims(bobsToken).GetProperty("sid").GetString()!;

        // Whoever holds the signing key can sign anything; the login id must still be the named user's.
        var key = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "jwt-signing-key"))).Trim());
        var now = factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        var forged = Mint(key, new { name = "admin", role = "Owner", sid = bobsLogin, iss = "ferry", aud = "ferry", nbf = now, iat = now, exp = now + 600 });
        using var asAdmin = factory.ClientWith(forged);
        using var refused = await asAdmin.GetAsync("/computenodes");
        await HttpAssert.ErrorAsync(refused, HttpStatusCode.Unauthorized, "revoked");

        // The same minting with bob's own name works: the check is the binding, not the minting.
        using var asBob = factory.ClientWith(Mint(key, new { name = bob, role = "Contributor", sid = bobsLogin, iss = "ferry", aud = "ferry", nbf = now, iat = now, exp = now + 600 }));
        using var ok = await asBob.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task SignedUrls_UseTheirOwnOwnerOnlyKey_NotTheTokenKey()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await ArmApi.StartRunAsync(client, workspace, "keys", ("hello.py", "print('hi')"), """{"Configuration":{"Script":"hello.py","Target":"local"}}""");
        await ArmApi.WaitForRunAsync(client, workspace, "keys", runId);
        using var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/keys/runs/{runId}/details?{ArmApi.ApiVersion}");
        var url = new Uri((await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        var signed = $"{runId}/azureml-logs/70_driver_log.txt/{query["se"]}";

        var urlKey = Path.Combine(factory.DataDirectory, "url-signing-key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(urlKey));
        Assert.Equal(Hmac(await KeyAsync(urlKey), signed), query["sig"]);
        Assert.NotEqual(Hmac(await KeyAsync(Path.Combine(factory.DataDirectory, "jwt-signing-key")), signed), query["sig"]);
    }

    [Fact]
    public async Task AdminBootstrapPassword_ShorterThanUserPasswords_StopsStartWithAClearError()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Server:AdminPassword"] = "short" });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("at least 8 characters", error.ToString(), StringComparison.Ordinal);
    }

    private static JsonElement Claims(string jwt) =>
        JsonDocument.Parse(Convert.FromBase64String(Pad(jwt.Split('.')[1]))).RootElement.Clone();

    private static string Mint(byte[] key, object claims)
    {
        var header = Base64Url(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        return $"{header}.{payload}.{Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")))}";
    }

    private static async Task<byte[]> KeyAsync(string path) => Convert.FromBase64String((await File.ReadAllTextAsync(path)).Trim());

    private static string Hmac(byte[] key, string data) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}
