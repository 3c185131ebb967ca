using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Auth;

public sealed class BearerTokenTests
{
    [Fact]
    public async Task ProtectedEndpoint_NoToken_Returns401Json()
    {
        await using var factory = new FerryFactory();
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/status");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "Authorization: Bearer");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt", "invalid or expired")]
    [InlineData("Basic YWRtaW46eA==", "must be 'Bearer")]
    public async Task ProtectedEndpoint_BadHeader_Returns401(string header, string fragment)
    {
        await using var factory = new FerryFactory();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        using var response = await client.GetAsync("/status");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, fragment);
    }

    [Fact]
    public async Task ProtectedEndpoint_ForgedSignature_Returns401()
    {
        await using var factory = new FerryFactory();
        var tokens = await factory.LoginAsync();
        var parts = tokens.AccessToken.Split('.');

        // Same header and claims, another signature.
        var forged = $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
        using var client = factory.ClientWith(forged);
        using var response = await client.GetAsync("/status");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "invalid or expired");
    }

    [Fact]
    public async Task ProtectedEndpoint_TokenFromAnotherServer_Returns401()
    {
        await using var other = new FerryFactory();
        await using var factory = new FerryFactory();
        var foreign = await other.LoginAsync();
        using var client = factory.ClientWith(foreign.AccessToken);
        using var response = await client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AccessToken_AfterOneHour_Returns401()
    {
        await using var factory = new FerryFactory();
        var tokens = await factory.LoginAsync();
        using var client = factory.ClientWith(tokens.AccessToken);
        using (var fresh = await client.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(59));
        using (var stillValid = await client.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        using var expired = await client.GetAsync("/status");
        await HttpAssert.ErrorAsync(expired, HttpStatusCode.Unauthorized, "invalid or expired");
    }

    [Fact]
    public async Task AccessTokenLifetime_IsConfigurable()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Auth:AccessTokenLifetime"] = "00:10:00" });
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/login", JsonContent.Create(new { username = "admin", password = FerryFactory.AdminPassword }));
        var body = await HttpAssert.OkJsonAsync(response);
        Assert.Equal(600, body.GetProperty("expires_in").GetInt64());
    }
}
