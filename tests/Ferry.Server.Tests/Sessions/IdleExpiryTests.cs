using System.Net;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>Sessions nobody calls are closed after the configured idle time, files and all.</summary>
public sealed class IdleExpiryTests
{
    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task IdleSession_IsClosedAndItsFilesRemoved_ActiveOneStays(string runtime)
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
        {
            ["Ferry:Sessions:IdleTimeout"] = "00:10:00",
            ["Ferry:Sessions:IdleCheckInterval"] = "00:00:00.100",
        });
        using var client = await factory.LoggedInClientAsync();
        var idle = await SessionApi.CreateAsync(client, runtime);
        var active = await SessionApi.CreateAsync(client, runtime);
        await SessionApi.RunAsync(client, idle, Code.Of(runtime, python: "open('model.txt', 'w').write('m')", r: "cat('m', file = 'model.txt')"));
        var directory = Path.Combine(factory.DataDirectory, "sessions", idle);
        Assert.True(File.Exists(Path.Combine(directory, "model.txt")));

        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        await SessionApi.RunAsync(client, active, Code.Of(runtime, python: "x = 1", r: "x <- 1"));
        factory.Clock.Advance(TimeSpan.FromMinutes(6));

        for (var i = 0; i < 100 && Directory.Exists(directory); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists(directory));
        using var gone = await client.GetAsync($"/sessions/{idle}/files");
        await HttpAssert.ErrorAsync(gone, HttpStatusCode.NotFound, "idle for 00:10:00");
        await SessionApi.RunAsync(client, active, Code.Of(runtime, python: "y = x", r: "y <- x"));
    }
}
