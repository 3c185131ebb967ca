using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Access;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Authorization;

/// <summary>The callers of the authorization table.</summary>
public enum Caller
{
    Anonymous,
    Reader,
    ContributorOwningResource,
    ContributorNotOwning,
    Owner,
    ServicePrincipalInScope,
    ServicePrincipalOutOfScope,
}

/// <summary>
/// One server with one of every kind of caller and the resources the table's requests name. On the
/// ML Server plane the resources (a session, a snapshot, a web service) belong to the owning
/// Contributor; on the Azure-ML plane they live in the default subscription, where the Reader
/// holds Reader, the owning Contributor and the in-scope service principal Contributor; the other
/// Contributor and the out-of-scope principal hold Contributor on their own subscriptions only.
/// </summary>
public sealed class AuthorizationWorld : IAsyncLifetime
{
    public const string Password = "user-Passw0rd!";
    public const string Group = "tbl-rg";
    public const string Workspace = "tbl-ws";
    public const string Service = "tbl";

    public FerryFactory Factory { get; } = new();

    public Dictionary<Caller, HttpClient> Clients { get; } = [];

    public string Subscription { get; private set; } = "";

    public string Tenant { get; private set; } = "";

    public string SessionId { get; private set; } = "";

    public string SnapshotId { get; private set; } = "";

    public string RunId { get; private set; } = "";

    /// <summary>The workspace's ARM path: <c>/subscriptions/.../workspaces/tbl-ws</c>.</summary>
    public string WorkspacePath => $"/subscriptions/{Subscription}/resourceGroups/{Group}/providers/Microsoft.MachineLearningServices/workspaces/{Workspace}";

    public async Task InitializeAsync()
    {
        var roles = Factory.Services.GetRequiredService<RoleAssignmentService>();
        var principals = Factory.Services.GetRequiredService<ServicePrincipalService>();
        Subscription = await Factory.Services.GetRequiredService<SubscriptionService>().DefaultIdAsync(CancellationToken.None);
        Tenant = await principals.TenantIdAsync(CancellationToken.None);

        Clients[Caller.Anonymous] = Factory.CreateClient();
        Clients[Caller.Owner] = await Factory.LoggedInClientAsync();
        foreach (var (caller, role, assigned) in new[]
        {
            (Caller.Reader, Role.Reader, "Reader"),
            (Caller.ContributorOwningResource, Role.Contributor, "Contributor"),
            (Caller.ContributorNotOwning, Role.Contributor, null),
        })
        {
            var name = await Factory.AddUserAsync(role, Password);
            if (assigned is not null)
            {
                await roles.AssignAsync(name, assigned, Subscription, CancellationToken.None);
            }
            else
            {
                // Contributor on a subscription of its own, none on the default one.
                var own = await Factory.Services.GetRequiredService<SubscriptionService>().CreateAsync("other", CancellationToken.None);
                await roles.AssignAsync(name, "Contributor", own.SubscriptionId, CancellationToken.None);
            }

            Clients[caller] = await Factory.LoggedInClientAsync(name, Password);
        }

        var inScope = await principals.CreateAsync("sp-in", CancellationToken.None);
        await roles.AssignAsync("sp-in", "Contributor", Subscription, CancellationToken.None);
        Clients[Caller.ServicePrincipalInScope] = await ServicePrincipalClientAsync(inScope);
        Clients[Caller.ServicePrincipalOutOfScope] = await ServicePrincipalClientAsync(await principals.CreateAsync("sp-out", CancellationToken.None));

        await CreateServerResourcesAsync(Clients[Caller.ContributorOwningResource]);
        await CreateAzureResourcesAsync(Clients[Caller.ContributorOwningResource]);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients.Values)
        {
            client.Dispose();
        }

        await Factory.DisposeAsync();
    }

    private async Task<HttpClient> ServicePrincipalClientAsync(CreatedServicePrincipal sp)
    {
        var client = Factory.CreateClient();
        using var token = await ArmApi.RequestTokenAsync(client, sp.TenantId, sp.ClientId, sp.ClientSecret);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await HttpAssert.OkJsonAsync(token)).GetProperty("access_token").GetString());
        return client;
    }

    private async Task CreateServerResourcesAsync(HttpClient client)
    {
        SessionId = await SessionApi.CreateAsync(client);
        using (var snapshot = await client.PostAsJsonAsync($"/sessions/{SessionId}/snapshot", new { name = "tbl" }))
        {
            snapshot.EnsureSuccessStatusCode();
            SnapshotId = JsonDocument.Parse(await snapshot.Content.ReadAsStringAsync()).RootElement.GetProperty("snapshotId").GetString()!;
        }

        using var publish = await client.PostAsJsonAsync($"/services/{Service}/v1", new
        {
            code = "y = x * 2",
            inputParameterDefinitions = new[] { new { name = "x", type = "numeric" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "numeric" } },
            runtimeType = "Python",
        });
        publish.EnsureSuccessStatusCode();
    }

    private async Task CreateAzureResourcesAsync(HttpClient client)
    {
        const string v = ArmApi.ApiVersion, preview = "api-version=2021-03-01-preview";
        (await client.PutAsJsonAsync($"/subscriptions/{Subscription}/resourceGroups/{Group}?{v}", new { location = "westus2" })).EnsureSuccessStatusCode();
        using (var put = await client.PutAsJsonAsync($"{WorkspacePath}?{v}", new { location = "westus2" }))
        {
            Assert.True(put.Headers.Contains("Azure-AsyncOperation"), $"{put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var compute = await client.PutAsJsonAsync($"{WorkspacePath}/computes/cpu?{v}", new
        {
            location = "westus2",
            properties = new { computeType = "AmlCompute", properties = new { scaleSettings = new { maxNodeCount = 1 } } },
        }))
        {
            Assert.True(compute.Headers.Contains("Azure-AsyncOperation"), $"{compute.StatusCode} {await compute.Content.ReadAsStringAsync()}");
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, compute.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        RunId = await ArmApi.StartRunAsync(client, WorkspacePath, "tbl", ("hello.py", "import os\nos.makedirs('outputs', exist_ok=True)\nopen('outputs/model.pkl', 'w').write('m')"),
            """{"Configuration":{"Script":"hello.py","Target":"cpu"}}""");
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, WorkspacePath, "tbl", RunId)).GetProperty("status").GetString());

        (await client.PutAsync($"/artifact/v2.0{WorkspacePath}/artifacts/LocalUpload/tbl/content?path=f.txt", new StringContent("x"))).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"{WorkspacePath}/codes/c/versions/1?{preview}", new { properties = new { path = "LocalUpload/tbl" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/modelmanagement/v1.0{WorkspacePath}/models?{v}", new
        {
            name = "m", url = $"aml://artifact/ExperimentRun/dcid.{RunId}/outputs/model.pkl", mimeType = "application/octet-stream",
        })).EnsureSuccessStatusCode();
        using (var endpoint = await client.PutAsJsonAsync($"{WorkspacePath}/onlineEndpoints/tbl-ep?{preview}", new { location = "westus2", properties = new { authMode = "Key" } }))
        {
            Assert.True(endpoint.Headers.Contains("Azure-AsyncOperation"), $"{endpoint.StatusCode} {await endpoint.Content.ReadAsStringAsync()}");
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, endpoint.Headers.GetValues("Azure-AsyncOperation").Single()));
        }
    }
}
