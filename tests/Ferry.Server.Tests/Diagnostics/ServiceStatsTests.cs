using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Diagnostics;

/// <summary>
/// <c>GET /services/{name}/{version}/stats</c>, the portal's chart: the calls of the last 30 minutes in
/// 10-second intervals, counted by the same recording as <c>ferry.service.calls</c>. The factory's clock
/// stands still, so every call lands in one interval.
/// </summary>
public sealed class ServiceStatsTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Stats_AfterKnownCalls_OnePointWithTheirCountsAndLatencies()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client);
        foreach (var x in new[] { 1, 2, 3, -1 })
        {
            using var response = await ConsumeAsync(client, name, x);
            Assert.Equal(x > 0, (await HttpAssert.OkJsonAsync(response)).GetProperty("success").GetBoolean());
        }

        using (var bad = await client.PostAsJsonAsync($"/api/{name}/v1", new { x = "not a number" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using var stats = await client.GetAsync($"/services/{name}/v1/stats");
        var body = await HttpAssert.OkJsonAsync(stats);
        Assert.Equal(name, body.GetProperty("name").GetString());
        Assert.Equal("v1", body.GetProperty("version").GetString());
        Assert.Equal(10, body.GetProperty("intervalSeconds").GetInt32());
        var point = Assert.Single(body.GetProperty("points").EnumerateArray());
        Assert.Equal("2026-01-01T12:00:00Z", point.GetProperty("start").GetString());
        Assert.Equal(5, point.GetProperty("calls").GetInt32());
        Assert.Equal(1, point.GetProperty("failures").GetInt32());
        Assert.Equal(1, point.GetProperty("errors").GetInt32());
        var p50 = point.GetProperty("p50Ms").GetDouble();
        Assert.InRange(p50, 0.001, 60_000);
        Assert.InRange(point.GetProperty("p99Ms").GetDouble(), p50, 60_000);
    }

    [Fact]
    public async Task Stats_NeverCalled_NoPoints_UnknownVersion_404()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishAsync(client);

        using (var stats = await client.GetAsync($"/services/{name}/v1/stats"))
        {
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(stats)).GetProperty("points").GetArrayLength());
        }

        using var unknown = await client.GetAsync($"/services/{name}/v2/stats");
        await HttpAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, name);
    }

    [Fact]
    public async Task Stats_ForAReader_AsReadingTheVersion()
    {
        using var admin = await factory.LoggedInClientAsync();
        var name = await PublishAsync(admin);
        var reader = await factory.AddUserAsync(Core.Users.Role.Reader);
        using var client = await factory.LoggedInClientAsync(reader, "user-Passw0rd!");

        using var stats = await client.GetAsync($"/services/{name}/v1/stats");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        using var anonymous = factory.CreateClient();
        using var refused = await anonymous.GetAsync($"/services/{name}/v1/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SwaggerDocument_DescribesStats_WithItsPermission()
    {
        using var client = factory.CreateClient();
        var document = await HttpAssert.OkJsonAsync(await client.GetAsync("/swagger/v1/swagger.json"));
        var operation = document.GetProperty("paths").GetProperty("/services/{name}/{version}/stats").GetProperty("get");
        Assert.Equal("getWebServiceVersionStats", operation.GetProperty("operationId").GetString());
        Assert.Equal("Reader", operation.GetProperty("x-ferry-permission").GetProperty("role").GetString());
    }

    private static async Task<string> PublishAsync(HttpClient client)
    {
        var name = "stats" + Guid.NewGuid().ToString("N")[..8];
        using var published = await client.PostAsJsonAsync($"/services/{name}/v1", new
        {
            code = "if x < 0:\n    raise ValueError('negative')\ny = x * 2",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        return name;
    }

    /// <summary>A consume call; the first waits for the pool's worker to start (within the queue's 30 s, else a 503 that would count as an error).</summary>
    private static async Task<HttpResponseMessage> ConsumeAsync(HttpClient client, string name, int x)
    {
        var response = await client.PostAsJsonAsync($"/api/{name}/v1", new { x });
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        return response;
    }
}
