using System.Net;
using System.Net.Http.Json;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.ComputeNodes;

/// <summary>The Owner-only centralized configuration API proves the role policies end to end.</summary>
public sealed class RoleTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Theory]
    [InlineData(Role.Contributor)]
    [InlineData(Role.Reader)]
    public async Task ComputeNodes_NonOwner_Returns403NamingTheRoles(Role role)
    {
        var user = await factory.AddUserAsync(role);
        using var client = await factory.LoggedInClientAsync(user, "user-Passw0rd!");

        using var get = await client.GetAsync("/computenodes");
        await HttpAssert.ErrorAsync(get, HttpStatusCode.Forbidden, $"needs the Owner role or a stronger one; your role is {role}");
        using var put = await client.PutAsJsonAsync("/computenodes", new { entries = new[] { "http://10.0.0.9:12805" } });
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task ComputeNodes_OwnerRole_CanManageTheList()
    {
        var owner = await factory.AddUserAsync(Role.Owner);
        using var client = await factory.LoggedInClientAsync(owner, "user-Passw0rd!");

        using var set = await client.PostAsJsonAsync("/computenodes", new { entries = new[] { "http://10.0.0.1:12805", "http://10.0.1-3.4:12805-12806" } });
        await HttpAssert.OkJsonAsync(set);
        using var add = await client.PutAsJsonAsync("/computenodes", new { entries = new[] { "https://node7:12805" } });
        await HttpAssert.OkJsonAsync(add);

        using var remove = new HttpRequestMessage(HttpMethod.Delete, "/computenodes") { Content = JsonContent.Create(new { entries = new[] { "http://10.0.0.1:12805" } }) };
        using var removed = await client.SendAsync(remove);
        await HttpAssert.OkJsonAsync(removed);

        using var get = await client.GetAsync("/computenodes");
        var nodes = (await HttpAssert.OkJsonAsync(get)).GetProperty("computeNodes").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["http://10.0.1-3.4:12805-12806", "https://node7:12805"], nodes);
    }

    [Theory]
    [InlineData("{\"entries\":[]}", "at least one")]
    [InlineData("{\"entries\":[\"ftp://x\"]}", "'ftp://x' is not a compute node URI")]
    [InlineData("{\"entries\":[\"not a uri\"]}", "is not a compute node URI")]
    [InlineData("{\"entries\":\"http://x\"}", "not valid JSON")]
    public async Task ComputeNodes_BadEntries_Return400AndKeepTheList(string json, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        using var before = await client.GetAsync("/computenodes");
        var expected = (await HttpAssert.OkJsonAsync(before)).GetProperty("computeNodes").GetRawText();

        using var response = await client.PutAsync("/computenodes", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, fragment);

        using var after = await client.GetAsync("/computenodes");
        Assert.Equal(expected, (await HttpAssert.OkJsonAsync(after)).GetProperty("computeNodes").GetRawText());
    }

    [Fact]
    public async Task RoleChange_AppliesFromTheNextRenewal()
    {
        var user = await factory.AddUserAsync(Role.Contributor);
        var tokens = await factory.LoginAsync(user, "user-Passw0rd!");
        await factory.Users.SetRoleAsync(user, Role.Owner, CancellationToken.None);

        using var anonymous = factory.CreateClient();
        using var renewed = await anonymous.PostAsJsonAsync("/login/refreshToken", new { refreshToken = tokens.RefreshToken });
        var accessToken = (await HttpAssert.OkJsonAsync(renewed)).GetProperty("access_token").GetString()!;
        using var client = factory.ClientWith(accessToken);
        using var get = await client.GetAsync("/computenodes");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }
}
