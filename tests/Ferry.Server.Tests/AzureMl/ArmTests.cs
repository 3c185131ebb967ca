using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>The ARM plane as curl speaks to it: api-version, the error envelope, resource groups.</summary>
public sealed class ArmTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task ApiVersion_MissingOrUnknown_Is400InArmEnvelopeListingVersions()
    {
        using var client = await factory.LoggedInClientAsync();
        var subscription = await ArmApi.SubscriptionAsync(client);

        using var missing = await client.GetAsync($"/subscriptions/{subscription}/resourcegroups");
        var error = await ArmErrorAsync(missing, HttpStatusCode.BadRequest);
        Assert.Equal("MissingApiVersionParameter", error.GetProperty("code").GetString());
        Assert.Contains("2019-11-01", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var unknown = await client.GetAsync($"/subscriptions/{subscription}/resourcegroups?api-version=2015-01-01");
        error = await ArmErrorAsync(unknown, HttpStatusCode.BadRequest);
        Assert.Equal("UnsupportedApiVersionValue", error.GetProperty("code").GetString());
        Assert.Contains("'2015-01-01'", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var otherSubscription = await client.GetAsync($"/subscriptions/{Guid.NewGuid()}/resourcegroups?api-version=2019-11-01");
        Assert.Equal("SubscriptionNotFound", (await ArmErrorAsync(otherSubscription, HttpStatusCode.NotFound)).GetProperty("code").GetString());

        using var anonymous = factory.CreateClient();
        using var unauthorized = await anonymous.GetAsync($"/subscriptions/{subscription}?api-version=2019-11-01");
        await ArmErrorAsync(unauthorized, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ResourceGroups_PutGetListDelete()
    {
        using var client = await factory.LoggedInClientAsync();
        var subscription = await ArmApi.SubscriptionAsync(client);
        var path = $"/subscriptions/{subscription}/resourceGroups/rg-{Guid.NewGuid():N}";

        using (var created = await client.PutAsJsonAsync($"{path}?api-version=2019-11-01", new { location = "westus2", tags = new { team = "ml" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var group = await HttpAssert.OkJsonAsync(created);
            Assert.Equal(path, group.GetProperty("id").GetString());
            Assert.Equal("Microsoft.Resources/resourceGroups", group.GetProperty("type").GetString());
            Assert.Equal("Succeeded", group.GetProperty("properties").GetProperty("provisioningState").GetString());
        }

        using (var again = await client.PutAsJsonAsync($"{path}?api-version=2019-11-01", new { location = "westus2" }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var moved = await client.PutAsJsonAsync($"{path}?api-version=2019-11-01", new { location = "eastus" }))
        {
            Assert.Equal("InvalidResourceGroupLocation", (await ArmErrorAsync(moved, HttpStatusCode.Conflict)).GetProperty("code").GetString());
        }

        using (var noLocation = await client.PutAsJsonAsync($"/subscriptions/{subscription}/resourceGroups/x?api-version=2019-11-01", new { }))
        {
            Assert.Equal("LocationRequired", (await ArmErrorAsync(noLocation, HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        }

        using (var list = await client.GetAsync($"/subscriptions/{subscription}/resourcegroups?api-version=2019-11-01"))
        {
            var names = (await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray().Select(g => g.GetProperty("id").GetString());
            Assert.Contains(path, names);
        }

        using (var deleted = await client.DeleteAsync($"{path}?api-version=2019-11-01"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var gone = await client.GetAsync($"{path}?api-version=2019-11-01");
        Assert.Equal("ResourceGroupNotFound", (await ArmErrorAsync(gone, HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    private static async Task<JsonElement> ArmErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }
}
