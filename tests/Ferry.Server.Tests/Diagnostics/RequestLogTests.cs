using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Diagnostics;

public sealed class RequestLogTests
{
    [Fact]
    public async Task EveryRequest_LogsOneLineWithCorrelationUserRouteAndStatus()
    {
        await using var factory = new FerryFactory();
        using var client = await factory.LoggedInClientAsync();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", "trace-42");
        using (await client.GetAsync("/status"))
        {
        }

        using (await client.GetAsync("/nowhere"))
        {
        }

        using (await client.GetAsync("/x%0AREQUEST%20DELETE%20/services/Iris/V1.0%20200"))
        {
        }

        var lines = factory.Logs.Entries.Where(e => e.Category.EndsWith("RequestLog", StringComparison.Ordinal)).ToList();
        var status = Assert.Single(lines, l => (string?)l.Values["Route"] == "/status");
        Assert.Equal("trace-42", status.Values["CorrelationId"]);
        Assert.Equal("admin", status.Values["UserPrincipalName"]);
        Assert.Equal(200, status.Values["StatusCode"]);
        Assert.Equal("GET", status.Values["Method"]);

        var missing = Assert.Single(lines, l => (string?)l.Values["Route"] == "/nowhere");
        Assert.Equal(404, missing.Values["StatusCode"]);

        // A path with a line feed in it stays one line: escaped as it was sent.
        Assert.Single(lines, l => (string?)l.Values["Route"] == "/x%0AREQUEST%20DELETE%20/services/Iris/V1.0%20200");
        Assert.DoesNotContain(lines, l => l.Values["Route"] is string route && route.Contains('\n', StringComparison.Ordinal));

        var login = Assert.Single(lines, l => (string?)l.Values["Method"] == "POST");
        Assert.Equal("-", login.Values["UserPrincipalName"]);
        Assert.Equal(200, login.Values["StatusCode"]);
    }
}
