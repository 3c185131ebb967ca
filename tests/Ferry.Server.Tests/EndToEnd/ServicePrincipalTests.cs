using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>A service principal from the admin CLI gets a token as curl would, and uses it on the ARM plane.</summary>
public sealed class ServicePrincipalTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Fact]
    public async Task ClientCredentials_TokenWorksOnArm_WrongSecret401_RemovedPrincipalLosesAccess()
    {
        await using var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password");
        var created = await FerryProcess.RunAsync(["admin", "sp", "create", "--name", "pipeline", "--data-dir", dataDirectory]);
        Assert.True(created.ExitCode == 0, created.Output);
        var sp = JsonDocument.Parse(created.Output.Trim()).RootElement;
        string tenant = sp.GetProperty("tenantId").GetString()!, subscription = sp.GetProperty("subscriptionId").GetString()!;
        string clientId = sp.GetProperty("clientId").GetString()!, secret = sp.GetProperty("clientSecret").GetString()!;

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using (var wrong = await ArmApi.RequestTokenAsync(client, tenant, clientId, secret + "x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_client", JsonDocument.Parse(await wrong.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        using var ok = await ArmApi.RequestTokenAsync(client, tenant, clientId, secret);
        var token = await HttpAssert.OkJsonAsync(ok);
        Assert.Equal(JsonValueKind.String, token.GetProperty("expires_in").ValueKind);
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal("https://management.azure.com/", token.GetProperty("resource").GetString());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());

        using (var put = await client.PutAsync(
            $"/subscriptions/{subscription}/resourceGroups/rg1?api-version=2019-11-01",
            new StringContent("""{"location":"westus2"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var list = await FerryProcess.RunAsync(["admin", "sp", "list", "--data-dir", dataDirectory]);
        Assert.Contains(clientId, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.Output, StringComparison.Ordinal);
        var removed = await FerryProcess.RunAsync(["admin", "sp", "remove", "pipeline", "--data-dir", dataDirectory]);
        Assert.True(removed.ExitCode == 0, removed.Output);

        // Another node's removal is seen within the revocation cache lifetime (5 s).
        HttpStatusCode status = HttpStatusCode.OK;
        for (var i = 0; i < 80 && status != HttpStatusCode.Unauthorized; i++)
        {
            await Task.Delay(100);
            using var after = await client.GetAsync($"/subscriptions/{subscription}/resourceGroups/rg1?api-version=2019-11-01");
            status = after.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
