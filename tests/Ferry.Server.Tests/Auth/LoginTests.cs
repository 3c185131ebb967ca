using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Auth;

public sealed class LoginTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Login_ValidAdmin_ReturnsContractTokenResponse()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { username = "admin", password = FerryFactory.AdminPassword });

        var body = await HttpAssert.OkJsonAsync(response);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt64());
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), body.GetProperty("expires_on").GetInt64());
        Assert.Equal(3, body.GetProperty("access_token").GetString()!.Split('.').Length); // a JWT
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));
    }

    [Fact]
    public async Task Login_UserNameInAnyCase_Succeeds()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { Username = "ADMIN", Password = FerryFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_Returns401WithMessage()
    {
        var user = await factory.AddUserAsync(Core.Users.Role.Contributor);
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { username = user, password = "not-the-password" });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "Invalid user name or password");
    }

    [Fact]
    public async Task Login_UnknownUser_Returns401SameMessage()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/login", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = "whatever-1" });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "Invalid user name or password");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"username\":\"admin\"}")]
    [InlineData("{\"password\":\"x\"}")]
    public async Task Login_MissingField_Returns400NamingThem(string json)
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/login", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "'username' and 'password' are required");
    }

    [Fact]
    public async Task Login_RepeatedFailures_Returns429WithRetryAfterUntilWindowPasses()
    {
        await using var own = new FerryFactory();
        var user = await own.AddUserAsync(Core.Users.Role.Contributor, "right-Passw0rd");
        using var client = own.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await client.PostAsJsonAsync("/login", new { username = user, password = "wrong-password" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        // Even the right password is refused while the user is throttled.
        using var throttled = await client.PostAsJsonAsync("/login", new { username = user, password = "right-Passw0rd" });
        await HttpAssert.ErrorAsync(throttled, (HttpStatusCode)429, "Too many failed logins");
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 300);

        // Other users are not affected, nor this user from another address (see below).
        using var admin = await client.PostAsJsonAsync("/login", new { username = "admin", password = FerryFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);

        own.Clock.Advance(TimeSpan.FromMinutes(5));
        using var later = await client.PostAsJsonAsync("/login", new { username = user, password = "right-Passw0rd" });
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Login_AttackerLocksOnlyThemselvesOut_AdminFromAnotherAddressLogsIn()
    {
        await using var own = new FerryFactory();
        for (var i = 0; i < 8; i++)
        {
            var (failed, _) = await LoginFromAsync(own, "203.0.113.7", "admin", "guess-" + i);
            Assert.True(failed is 401 or 429, $"got {failed}");
        }

        var attacker = await LoginFromAsync(own, "203.0.113.7", "admin", FerryFactory.AdminPassword);
        Assert.Equal(429, attacker.StatusCode);
        Assert.False(string.IsNullOrEmpty(attacker.Response.Headers.RetryAfter));

        var office = await LoginFromAsync(own, "198.51.100.20", "admin", FerryFactory.AdminPassword);
        Assert.Equal(200, office.StatusCode);
    }

    [Fact]
    public async Task Login_HugeUserName_IsRefusedBeforeAnyWork()
    {
        using var client = factory.CreateClient();
        var huge = new string('a', 1024 * 1024);
        using var bodyTooLarge = await client.PostAsJsonAsync("/login", new { username = huge, password = "x" });
        await HttpAssert.ErrorAsync(bodyTooLarge, HttpStatusCode.RequestEntityTooLarge, "larger than");

        using var nameTooLong = await client.PostAsJsonAsync("/login", new { username = new string('a', 300), password = "x" });
        await HttpAssert.ErrorAsync(nameTooLong, HttpStatusCode.BadRequest, "at most 256 characters");
    }

    /// <summary>A login as it arrives from one client address (the throttle's unit).</summary>
    private static async Task<(int StatusCode, Microsoft.AspNetCore.Http.HttpResponse Response)> LoginFromAsync(FerryFactory server, string address, string username, string password)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { username, password });
        var context = await server.Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            context.Request.Method = "POST";
            context.Request.Path = "/login";
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body);
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new HasBody());
        });
        return (context.Response.StatusCode, context.Response);
    }

    private sealed class HasBody : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
