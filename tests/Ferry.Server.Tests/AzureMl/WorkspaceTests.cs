using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>Workspaces with ARM's long-running pattern, and discovery pointing back at this server.</summary>
public sealed class WorkspaceTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private const string ApiVersion = ArmApi.ApiVersion;

    [Fact]
    public async Task Put_PollsToSucceeded_ThenGetListPatchDiscoveryDelete()
    {
        using var client = await factory.LoggedInClientAsync();
        var subscription = await ArmApi.SubscriptionAsync(client);
        var group = await ArmApi.CreateGroupAsync(client);
        var path = $"{group}/providers/Microsoft.MachineLearningServices/workspaces/ws1";

        using var put = await client.PutAsJsonAsync($"{path}?{ApiVersion}", new
        {
            location = "centralus",
            identity = new { type = "systemAssigned" },
            properties = new { friendlyName = "My workspace", description = "walk" },
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var asyncOperation = put.Headers.GetValues("Azure-AsyncOperation").Single();
        Assert.NotNull(put.Headers.Location);

        Assert.Equal("Succeeded", await PollAsync(client, asyncOperation));
        using (var result = await client.GetAsync(put.Headers.Location))
        {
            Assert.Equal("Succeeded", (await HttpAssert.OkJsonAsync(result)).GetProperty("properties").GetProperty("provisioningState").GetString());
        }

        using (var get = await client.GetAsync($"{path}?{ApiVersion}"))
        {
            var workspace = await HttpAssert.OkJsonAsync(get);
            Assert.Equal(path, workspace.GetProperty("id").GetString());
            Assert.Equal("My workspace", workspace.GetProperty("properties").GetProperty("friendlyName").GetString());
            var discoveryUrl = workspace.GetProperty("properties").GetProperty("discoveryUrl").GetString()!;
            using var anonymous = factory.CreateClient();
            using var discovery = await anonymous.GetAsync(new Uri(discoveryUrl).PathAndQuery);
            var document = await HttpAssert.OkJsonAsync(discovery);
            var self = new Uri(discoveryUrl).GetLeftPart(UriPartial.Authority);
            foreach (var key in new[] { "api", "history", "modelmanagement", "experimentation" })
            {
                Assert.Equal(self, document.GetProperty(key).GetString());
            }
        }

        using (var patched = await client.PatchAsJsonAsync($"{path}?{ApiVersion}", new { tags = new { stage = "dev" }, properties = new { description = "patched" } }))
        {
            var workspace = await HttpAssert.OkJsonAsync(patched);
            Assert.Equal("patched", workspace.GetProperty("properties").GetProperty("description").GetString());
            Assert.Equal("dev", workspace.GetProperty("tags").GetProperty("stage").GetString());
        }

        using (var byGroup = await client.GetAsync($"{group}/providers/Microsoft.MachineLearningServices/workspaces?{ApiVersion}"))
        {
            Assert.Equal(1, (await HttpAssert.OkJsonAsync(byGroup)).GetProperty("value").GetArrayLength());
        }

        using (var bySubscription = await client.GetAsync($"/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices/workspaces?{ApiVersion}"))
        {
            Assert.Contains((await HttpAssert.OkJsonAsync(bySubscription)).GetProperty("value").EnumerateArray(), w => w.GetProperty("id").GetString() == path);
        }

        using (var deleted = await client.DeleteAsync($"{path}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using (var again = await client.DeleteAsync($"{path}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        using var gone = await client.GetAsync($"{path}?{ApiVersion}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ResourceNotFound", JsonDocument.Parse(await gone.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Compute_PutPollsToSucceeded_KeepsProperties_DeleteNeedsUnderlyingResourceAction()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var compute = $"{workspace}/computes/cpu-cluster";
        var body = new
        {
            location = "centralus",
            properties = new
            {
                computeType = "AmlCompute",
                properties = new { vmSize = "STANDARD_D2_V2", vmPriority = "Dedicated", scaleSettings = new { maxNodeCount = 2, minNodeCount = 0, nodeIdleTimeBeforeScaleDown = "PT5M" } },
            },
        };

        using (var put = await client.PutAsJsonAsync($"{compute}?{ApiVersion}", body))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal("Creating", (await HttpAssert.OkJsonAsync(put)).GetProperty("properties").GetProperty("provisioningState").GetString());
            Assert.Equal("Succeeded", await PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var get = await client.GetAsync($"{compute}?{ApiVersion}"))
        {
            var properties = (await HttpAssert.OkJsonAsync(get)).GetProperty("properties");
            Assert.Equal("Succeeded", properties.GetProperty("provisioningState").GetString());
            Assert.Equal("STANDARD_D2_V2", properties.GetProperty("properties").GetProperty("vmSize").GetString());
            Assert.Equal(2, properties.GetProperty("properties").GetProperty("scaleSettings").GetProperty("maxNodeCount").GetInt32());
        }

        using (var list = await client.GetAsync($"{workspace}/computes?{ApiVersion}"))
        {
            Assert.Equal(1, (await HttpAssert.OkJsonAsync(list)).GetProperty("value").GetArrayLength());
        }

        using (var noMax = await client.PutAsJsonAsync($"{workspace}/computes/other?{ApiVersion}", new { location = "centralus", properties = new { computeType = "AmlCompute", properties = new { } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noMax.StatusCode);
            Assert.Contains("maxNodeCount", await noMax.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noAction = await client.DeleteAsync($"{compute}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noAction.StatusCode);
            Assert.Contains("underlyingResourceAction", await noAction.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var deleted = await client.DeleteAsync($"{compute}?{ApiVersion}&underlyingResourceAction=Delete"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var gone = await client.GetAsync($"{compute}?{ApiVersion}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Delete_StopsItsRunsAndEndpoints_TheSameNamesAgainInheritNothing_GroupDeleteLikewise()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var (scoringUri, primary, _) = await ArmApi.DeployEchoScorerAsync(client, workspace, "echo");
        using var scorer = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await ScoreAsync(scorer, scoringUri, primary));
        var runId = await ArmApi.StartRunAsync(client, workspace, "slow", ("slow.py", "import time\ntime.sleep(600)\n"), """{"Configuration":{"Script":"slow.py"}}""");

        using (var delete = await client.DeleteAsync($"{workspace}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ScoreAsync(scorer, scoringUri, primary));
        using (var put = await client.PutAsJsonAsync($"{workspace}?{ApiVersion}", new { location = "centralus" }))
        {
            Assert.Equal("Succeeded", await PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ScoreAsync(scorer, scoringUri, primary));
        using (var endpoints = await client.GetAsync($"{workspace}/onlineEndpoints?api-version=2021-03-01-preview"))
        {
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(endpoints)).GetProperty("value").GetArrayLength());
        }

        using (var models = await client.GetAsync($"/modelmanagement/v1.0{workspace}/models?{ApiVersion}"))
        {
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(models)).GetProperty("value").GetArrayLength());
        }

        using (var run = await client.GetAsync($"/history/v1.0{workspace}/experiments/slow/runs/{runId}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
        }

        // The group's delete goes through its workspaces the same way.
        (scoringUri, primary, _) = await ArmApi.DeployEchoScorerAsync(client, workspace, "echo2");
        Assert.Equal(HttpStatusCode.OK, await ScoreAsync(scorer, scoringUri, primary));
        using (var delete = await client.DeleteAsync($"{workspace[..workspace.IndexOf("/providers/", StringComparison.Ordinal)]}?{ApiVersion}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ScoreAsync(scorer, scoringUri, primary));
    }

    [Fact]
    public async Task Put_InMissingGroupOrWithoutLocation_Fails()
    {
        using var client = await factory.LoggedInClientAsync();
        var subscription = await ArmApi.SubscriptionAsync(client);
        using var missing = await client.PutAsJsonAsync(
            $"/subscriptions/{subscription}/resourceGroups/nope/providers/Microsoft.MachineLearningServices/workspaces/ws1?{ApiVersion}", new { location = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("ResourceGroupNotFound", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<string> PollAsync(HttpClient client, string url) => ArmApi.PollAsync(client, url);

    private static async Task<HttpStatusCode> ScoreAsync(HttpClient client, string scoringUri, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(scoringUri).PathAndQuery) { Content = new StringContent("{}") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
