using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Access;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Authorization;

/// <summary>Subscription scope on the Azure-ML plane: who sees which subscription, ARM's refusals, and groups kept to their subscription.</summary>
public sealed class AzureMlScopeTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private const string V = ArmApi.ApiVersion;

    [Fact]
    public async Task SubscriptionsList_ShowsOnlyWhereTheCallerHoldsARole_ServerOwnersSeeAll()
    {
        var (sp, client) = await ServicePrincipalAsync();
        using (var list = await client.GetAsync($"/subscriptions?{V}"))
        {
            var only = Assert.Single((await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray());
            Assert.Equal(sp.SubscriptionId, only.GetProperty("subscriptionId").GetString());
        }

        using var admin = await factory.LoggedInClientAsync();
        using var all = await admin.GetAsync($"/subscriptions?{V}");
        var ids = (await HttpAssert.OkJsonAsync(all)).GetProperty("value").EnumerateArray().Select(s => s.GetProperty("subscriptionId").GetString()).ToList();
        Assert.Contains(sp.SubscriptionId, ids);
        Assert.Contains(await DefaultSubscriptionAsync(), ids);

        // A user without an assignment sees none and reaches none.
        var user = await factory.AddUserAsync(Role.Contributor);
        using var unassigned = await factory.LoggedInClientAsync(user, "user-Passw0rd!");
        using var empty = await unassigned.GetAsync($"/subscriptions?{V}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(empty)).GetProperty("value").GetArrayLength());
        using var denied = await unassigned.GetAsync($"/subscriptions/{sp.SubscriptionId}/resourcegroups?{V}");
        Assert.Equal("SubscriptionNotFound", (await ArmErrorAsync(denied, HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Reader_WriteOrAction_Is403AuthorizationFailedNamingActionAndScope()
    {
        using var admin = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        var reader = await factory.AddUserAsync(Role.Reader);
        await factory.Services.GetRequiredService<RoleAssignmentService>().AssignAsync(reader, "Reader", null, CancellationToken.None);
        using var client = await factory.LoggedInClientAsync(reader, "user-Passw0rd!");

        using (var get = await client.GetAsync($"{workspace}?{V}"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using var delete = await client.DeleteAsync($"{workspace}?{V}");
        var error = await ArmErrorAsync(delete, HttpStatusCode.Forbidden);
        Assert.Equal("AuthorizationFailed", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains($"The client '{reader}'", message, StringComparison.Ordinal);
        Assert.Contains("perform action 'Microsoft.MachineLearningServices/workspaces/delete'", message, StringComparison.Ordinal);
        Assert.Contains($"over scope '{workspace}'", message, StringComparison.Ordinal);

        // A data-plane upload is a write too.
        using var upload = await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/c/content?path=score.py", new StringContent("x"));
        Assert.Contains("workspaces/artifacts/write", (await ArmErrorAsync(upload, HttpStatusCode.Forbidden)).GetProperty("message").GetString(), StringComparison.Ordinal);
        using (var still = await admin.GetAsync($"{workspace}?{V}"))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }
    }

    [Fact]
    public async Task GroupOfAnotherSubscription_ThroughOwnSubscriptionPath_Is404AndUntouched()
    {
        using var admin = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(admin);
        var (sp, client) = await ServicePrincipalAsync();
        var other = await DefaultSubscriptionAsync();
        var disguised = workspace.Replace(other, sp.SubscriptionId, StringComparison.Ordinal);

        using (var get = await client.GetAsync($"{disguised}?{V}"))
        {
            Assert.Equal("ResourceGroupNotFound", (await ArmErrorAsync(get, HttpStatusCode.NotFound)).GetProperty("code").GetString());
        }

        using (var runs = await client.GetAsync($"/history/v1.0{disguised}/experiments?{V}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, runs.StatusCode);
        }

        using (var models = await client.GetAsync($"/modelmanagement/v1.0{disguised}/models?{V}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, models.StatusCode);
        }

        var group = workspace[..workspace.IndexOf("/providers/", StringComparison.Ordinal)].Replace(other, sp.SubscriptionId, StringComparison.Ordinal);
        using (var delete = await client.DeleteAsync($"{group}?{V}"))
        {
            Assert.Equal("ResourceGroupNotFound", (await ArmErrorAsync(delete, HttpStatusCode.NotFound)).GetProperty("code").GetString());
        }

        using (var taken = await client.PutAsJsonAsync($"{group}?{V}", new { location = "centralus" }))
        {
            Assert.Equal("ResourceGroupNameNotAvailable", (await ArmErrorAsync(taken, HttpStatusCode.Conflict)).GetProperty("code").GetString());
        }

        using (var listed = await client.GetAsync($"{group}/providers/Microsoft.MachineLearningServices/workspaces?{V}"))
        {
            Assert.Equal("ResourceGroupNotFound", (await ArmErrorAsync(listed, HttpStatusCode.NotFound)).GetProperty("code").GetString());
        }

        using var list = await client.GetAsync($"/subscriptions/{sp.SubscriptionId}/providers/Microsoft.MachineLearningServices/workspaces?{V}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetProperty("value").GetArrayLength());
        using var intact = await admin.GetAsync($"{workspace}?{V}");
        Assert.Equal(HttpStatusCode.OK, intact.StatusCode);
    }

    [Theory]
    [InlineData("/resourcegroups", "2019-10-01")]
    [InlineData("/resourcegroups", "2019-05-10")]
    [InlineData("/resourcegroups", "2022-09-01")]
    [InlineData("/resourcegroups", "2024-03-01")]
    [InlineData("/providers/Microsoft.MachineLearningServices/workspaces", "2021-07-01")]
    [InlineData("/providers/Microsoft.MachineLearningServices/workspaces", "2020-09-01-preview")]
    [InlineData("/providers/Microsoft.MachineLearningServices/workspaces", "2018-11-19")]
    public async Task ApiVersion_PublishedVersionOfTheProvider_IsAccepted(string path, string apiVersion)
    {
        using var admin = await factory.LoggedInClientAsync();
        using var response = await admin.GetAsync($"/subscriptions/{await DefaultSubscriptionAsync()}{path}?api-version={apiVersion}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/resourcegroups", "2021-03-01-preview")]
    [InlineData("/resourcegroups", "2018-05-01")]
    [InlineData("/providers/Microsoft.MachineLearningServices/workspaces", "2019-10-01")]
    public async Task ApiVersion_UnknownToTheProvider_Is400ListingTheSupportedOnes(string path, string apiVersion)
    {
        using var admin = await factory.LoggedInClientAsync();
        using var response = await admin.GetAsync($"/subscriptions/{await DefaultSubscriptionAsync()}{path}?api-version={apiVersion}");
        var error = await ArmErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("UnsupportedApiVersionValue", error.GetProperty("code").GetString());
        Assert.StartsWith($"Unsupported api-version '{apiVersion}'. The supported api-versions are '", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyRoutes_WithoutToken_Are401_AndForbiddenCallers403_BeforeTheContentType()
    {
        using var anonymous = factory.CreateClient();
        var workspace = $"/subscriptions/{await DefaultSubscriptionAsync()}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
        foreach (var path in new[] { "/sessions/x/files", "/sessions/x/workspace/obj", $"/execution/v1.0{workspace}/experiments/e/startrun?{V}" })
        {
            using var response = await anonymous.PostAsync(path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var reader = await factory.AddUserAsync(Role.Reader);
        using var client = await factory.LoggedInClientAsync(reader, "user-Passw0rd!");
        using var upload = await client.PostAsync("/sessions/x/files", new StringContent("x"));
        await HttpAssert.ErrorAsync(upload, HttpStatusCode.Forbidden, "needs the Contributor role");
    }

    private async Task<(CreatedServicePrincipal Principal, HttpClient Client)> ServicePrincipalAsync()
    {
        var sp = await factory.Services.GetRequiredService<ServicePrincipalService>().CreateAsync($"sp-{Guid.NewGuid():N}"[..20], CancellationToken.None);
        var client = factory.CreateClient();
        using var token = await ArmApi.RequestTokenAsync(client, sp.TenantId, sp.ClientId, sp.ClientSecret);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await HttpAssert.OkJsonAsync(token)).GetProperty("access_token").GetString());
        return (sp, client);
    }

    private Task<string> DefaultSubscriptionAsync() => factory.Services.GetRequiredService<SubscriptionService>().DefaultIdAsync(CancellationToken.None);

    private static async Task<JsonElement> ArmErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("error");
    }
}
