using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Auth;

public sealed class RefreshTokenTests
{
    private static readonly Dictionary<string, string?> NoRevocationCache = new() { ["Ferry:Auth:RevocationCacheLifetime"] = "00:00:00" };

    [Fact]
    public async Task Renew_ValidRefreshToken_ReturnsNewPairAndKillsOldRefreshToken()
    {
        await using var factory = new FerryFactory();
        var first = await factory.LoginAsync();
        using var client = factory.CreateClient();

        using var renewed = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = first.RefreshToken });
        var body = await HttpAssert.OkJsonAsync(renewed);
        var second = new TokenPair(body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());

        using var authed = factory.ClientWith(second.AccessToken);
        using var status = await authed.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task Renew_RotatedOutTokenReplayed_RevokesTheWholeLoginAndLogsIt()
    {
        await using var factory = new FerryFactory();
        var first = await factory.LoginAsync();
        using var client = factory.CreateClient();
        using var renewed = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = first.RefreshToken });
        var body = await HttpAssert.OkJsonAsync(renewed);
        var second = new TokenPair(body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);

        // Someone replays the token the user renewed with: a copy exists, so neither holder keeps the login.
        using var reused = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = first.RefreshToken });
        await HttpAssert.ErrorAsync(reused, HttpStatusCode.Unauthorized, "refresh token is invalid");

        using var successor = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = second.RefreshToken });
        await HttpAssert.ErrorAsync(successor, HttpStatusCode.Unauthorized, "refresh token is invalid");
        using var authed = factory.ClientWith(second.AccessToken);
        using var status = await authed.GetAsync("/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("presented again", StringComparison.Ordinal));

        // Other logins of the same user are not touched.
        using var other = factory.ClientWith((await factory.LoginAsync()).AccessToken);
        using var otherStatus = await other.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, otherStatus.StatusCode);
    }

    [Theory]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    [InlineData("{\"refreshToken\":\"made-up\"}", HttpStatusCode.Unauthorized)]
    public async Task Renew_MissingOrUnknownToken_IsRefused(string json, HttpStatusCode expected)
    {
        await using var factory = new FerryFactory();
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/login/refreshToken", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, expected, "refresh");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Revoke_ByQueryOrPath_KillsRefreshAndAccessTokens(bool byQuery)
    {
        await using var factory = new FerryFactory();
        var tokens = await factory.LoginAsync();
        using var client = factory.ClientWith(tokens.AccessToken);
        using (var before = await client.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var escaped = Uri.EscapeDataString(tokens.RefreshToken);
        using var revoke = await client.DeleteAsync(byQuery ? $"/login/refreshToken?refreshToken={escaped}" : $"/login/refreshToken/{escaped}");
        await HttpAssert.OkJsonAsync(revoke);

        using var renew = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, renew.StatusCode);
        using var after = await client.GetAsync("/status");
        await HttpAssert.ErrorAsync(after, HttpStatusCode.Unauthorized, "revoked");

        // Another login of the same user is untouched.
        using var other = await factory.LoggedInClientAsync();
        using var otherStatus = await other.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, otherStatus.StatusCode);
    }

    [Fact]
    public async Task Revoke_UnknownToken_Returns401()
    {
        await using var factory = new FerryFactory();
        using var client = factory.CreateClient();
        using var response = await client.DeleteAsync("/login/refreshToken?refreshToken=made-up");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "refresh token");
    }

    [Fact]
    public async Task RefreshToken_UnusedFor14Days_IsDead()
    {
        await using var factory = new FerryFactory();
        var tokens = await factory.LoginAsync();
        factory.Clock.Advance(TimeSpan.FromDays(14));
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = tokens.RefreshToken });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "expired");
    }

    [Fact]
    public async Task RefreshToken_RenewedWithinIdleLimit_LivesUntil90Days()
    {
        await using var factory = new FerryFactory();
        var refreshToken = (await factory.LoginAsync()).RefreshToken;
        using var client = factory.CreateClient();
        for (var day = 13; day < 90; day += 13)
        {
            factory.Clock.Advance(TimeSpan.FromDays(13));
            using var renewed = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken });
            refreshToken = (await HttpAssert.OkJsonAsync(renewed)).GetProperty("refresh_token").GetString()!;
        }

        // Day 91: past the absolute limit although it was used within 14 days.
        factory.Clock.Advance(TimeSpan.FromDays(13));
        using var dead = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken });
        await HttpAssert.ErrorAsync(dead, HttpStatusCode.Unauthorized, "expired");
    }

    [Fact]
    public async Task SetPassword_RevokesTheUsersLogins()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), NoRevocationCache);
        var user = await factory.AddUserAsync(Role.Contributor, "first-Passw0rd");
        var tokens = await factory.LoginAsync(user, "first-Passw0rd");
        await factory.Users.SetPasswordAsync(user, "second-Passw0rd", CancellationToken.None);

        using var client = factory.ClientWith(tokens.AccessToken);
        using var status = await client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        using var renew = await client.PostAsJsonAsync("/login/refreshToken", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, renew.StatusCode);
        await factory.LoginAsync(user, "second-Passw0rd");
    }

    [Fact]
    public async Task RemoveUser_EndsTheirLogins()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), NoRevocationCache);
        var user = await factory.AddUserAsync(Role.Contributor);
        var tokens = await factory.LoginAsync(user, "user-Passw0rd!");
        await factory.Users.RemoveAsync(user, CancellationToken.None);

        using var client = factory.ClientWith(tokens.AccessToken);
        using var status = await client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }
}
