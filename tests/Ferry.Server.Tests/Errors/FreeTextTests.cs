using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Errors;

/// <summary>Descriptions and display names are bounded: what one caller stores, every reader of a list is sent.</summary>
public sealed class FreeTextTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Publish_DescriptionOver16KCharacters_Is400AndNothingIsStored()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = "txt" + Guid.NewGuid().ToString("N")[..8];
        using var response = await client.PostAsJsonAsync($"/services/{name}/v1", new { code = "y = 1", runtimeType = "Python", description = new string('d', 16 * 1024 + 1) });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "'description' may hold at most 16384 characters; it holds 16385.");
        using var list = await client.GetAsync($"/services/{name}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task SessionAndSnapshotNamesOver256Characters_Are400()
    {
        using var client = await factory.LoggedInClientAsync();
        var longName = new string('n', 257);
        using (var session = await client.PostAsJsonAsync("/sessions", new { name = longName, runtimeType = "Python" }))
        {
            await HttpAssert.ErrorAsync(session, HttpStatusCode.BadRequest, "'name' may hold at most 256 characters");
        }

        var id = await SessionApi.CreateAsync(client, "Python");
        using var snapshot = await client.PostAsJsonAsync($"/sessions/{id}/snapshot", new { name = longName });
        await HttpAssert.ErrorAsync(snapshot, HttpStatusCode.BadRequest, "'name' may hold at most 256 characters");
    }
}
