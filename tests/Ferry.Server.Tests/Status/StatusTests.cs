using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Status;

public sealed class StatusTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Status_LoggedIn_ReturnsTreeFromRealChecks()
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.GetAsync("/status");
        var status = await HttpAssert.OkJsonAsync(response);

        Assert.Contains(status.GetProperty("statusCode").GetString(), new[] { "pass", "warn" });
        var components = status.GetProperty("components");

        var database = components.GetProperty("database");
        Assert.Equal("pass", database.GetProperty("statusCode").GetString());
        Assert.Equal("sqlite", database.GetProperty("details").GetProperty("type").GetString());
        Assert.Equal("Open", database.GetProperty("details").GetProperty("state").GetString());
        Assert.Equal("wal", database.GetProperty("details").GetProperty("journalMode").GetString());

        var authentication = components.GetProperty("authentication");
        Assert.Equal("local", authentication.GetProperty("details").GetProperty("mode").GetString());
        Assert.True(authentication.GetProperty("components").GetProperty("local").GetProperty("details").GetProperty("owners").GetInt32() >= 1);

        var dataDirectory = components.GetProperty("dataDirectory");
        Assert.True(dataDirectory.GetProperty("details").GetProperty("writable").GetBoolean());
        Assert.Equal(factory.DataDirectory, dataDirectory.GetProperty("details").GetProperty("path").GetString());

        // The interpreter is really probed: its path and the libraries it imports.
        var python = components.GetProperty("runtimes").GetProperty("components").GetProperty("python");
        var details = python.GetProperty("details");
        Assert.True(File.Exists(details.GetProperty("interpreter").GetString()));
        Assert.StartsWith("3.", details.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, details.GetProperty("libraries").GetProperty("numpy").ValueKind);
        Assert.Equal("pass", python.GetProperty("statusCode").GetString());
    }

    [Fact]
    public async Task Status_WorstComponentDecides()
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.GetAsync("/status");
        var status = await HttpAssert.OkJsonAsync(response);
        var worst = Codes(status).Max(code => code switch { "pass" => 0, "warn" => 1, _ => 2 });
        Assert.Equal(new[] { "pass", "warn", "fail" }[worst], status.GetProperty("statusCode").GetString());
    }

    private static IEnumerable<string> Codes(JsonElement node) =>
        node.GetProperty("components").EnumerateObject().SelectMany(c => Codes(c.Value).Append(c.Value.GetProperty("statusCode").GetString()!));
}
