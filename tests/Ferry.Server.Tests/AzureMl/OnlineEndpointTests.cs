using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Ferry.Core.Diagnostics;
using Ferry.Core.OnlineEndpoints;
using Ferry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>From a training run to an online endpoint scored with keys: deploy, split traffic, score, rotate keys.</summary>
public sealed class OnlineEndpointTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private const string Preview = "api-version=2021-03-01-preview";

    private const string Train =
        "import os, pickle\nfrom sklearn import svm, datasets\niris = datasets.load_iris()\n"
        + "os.makedirs('outputs', exist_ok=True)\npickle.dump(svm.SVC(gamma='auto').fit(iris.data, iris.target), open('outputs/model.pkl', 'wb'))\n";

    private const string Score =
        "import json, os, pickle\n"
        + "def init():\n    global model\n    model = pickle.load(open(os.path.join(os.environ['AZUREML_MODEL_DIR'], 'model.pkl'), 'rb'))\n"
        + "def run(raw_data):\n    data = json.loads(raw_data)['data']\n    if data == 'boom':\n        raise ValueError('asked to fail')\n    return model.predict(data).tolist()\n";

    [Fact]
    public async Task Patch_AnEndpointThatIsNotThere_Is404AndCreatesNothing()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"{workspace}/onlineEndpoints/nowhere?{Preview}")
        {
            Content = JsonContent.Create(new { properties = new { description = "patched" } }),
        };
        using (var response = await client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var get = await client.GetAsync($"{workspace}/onlineEndpoints/nowhere?{Preview}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Deploy_Score_WrongKey401_RegenerateKeys_RunFailure502()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await ArmApi.StartRunAsync(client, workspace, "train", ("train.py", Train), """{"Configuration":{"Script":"train.py"}}""");
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "train", runId)).GetProperty("status").GetString());

        using (var model = await client.PostAsJsonAsync($"/modelmanagement/v1.0{workspace}/models?{ArmApi.ApiVersion}", new
        {
            name = "iris", url = $"aml://artifact/ExperimentRun/dcid.{runId}/outputs/model.pkl", mimeType = "application/octet-stream",
        }))
        {
            Assert.Equal("iris:1", (await HttpAssert.OkJsonAsync(model)).GetProperty("id").GetString());
        }

        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/code1/content?path=score.py", new StringContent(Score))).Dispose();
        (await client.PutAsJsonAsync($"{workspace}/codes/score/versions/1?{Preview}", new { properties = new { path = "LocalUpload/code1" } })).Dispose();

        var endpoint = $"{workspace}/onlineEndpoints/iris-ep";
        using (var put = await client.PutAsJsonAsync($"{endpoint}?{Preview}", new { location = "centralus", properties = new { authMode = "Key" } }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var deploy = await client.PutAsJsonAsync($"{endpoint}/deployments/blue?{Preview}", new
        {
            location = "centralus",
            properties = new
            {
                endpointComputeType = "Managed",
                model = new { referenceType = "Id", assetId = "azureml:iris:1" },
                codeConfiguration = new { codeId = "azureml:score:1", scoringScript = "score.py" },
                scaleSettings = new { scaleType = "Manual", instanceCount = 1 },
            },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, deploy.StatusCode);
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, deploy.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var twice = await client.PatchAsJsonAsync($"{endpoint}?{Preview}", new { properties = new { traffic = new Dictionary<string, int> { ["blue"] = 50, ["BLUE"] = 50 } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        }

        using (var traffic = await client.PatchAsJsonAsync($"{endpoint}?{Preview}", new { properties = new { traffic = new Dictionary<string, int> { ["BLUE"] = 100 } } }))
        {
            Assert.Equal(HttpStatusCode.OK, traffic.StatusCode);
            Assert.Equal(100, (await HttpAssert.OkJsonAsync(traffic)).GetProperty("properties").GetProperty("traffic").GetProperty("blue").GetInt32()); // as the deployment is spelled
        }

        using (var deleteInUse = await client.DeleteAsync($"{endpoint}/deployments/Blue?{Preview}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, deleteInUse.StatusCode); // it takes the traffic, whatever the case of its name
        }

        using (var badTraffic = await client.PatchAsJsonAsync($"{endpoint}?{Preview}", new { properties = new { traffic = new Dictionary<string, int> { ["green"] = 100 } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badTraffic.StatusCode);
        }

        using var get = await client.GetAsync($"{endpoint}?{Preview}");
        var scoringUri = new Uri((await HttpAssert.OkJsonAsync(get)).GetProperty("properties").GetProperty("scoringUri").GetString()!).PathAndQuery;
        using var keys = await client.PostAsync($"{endpoint}/listKeys?{Preview}", null);
        var keyPair = await HttpAssert.OkJsonAsync(keys);
        string primary = keyPair.GetProperty("primaryKey").GetString()!, secondary = keyPair.GetProperty("secondaryKey").GetString()!;

        using var scorer = factory.CreateClient();
        var rows = """{"data": [[7, 3.2, 4.7, 1.4], [5.1, 3.5, 1.4, 0.2]]}""";
        Assert.Equal("[1,0]", await ScoreAsync(scorer, scoringUri, primary, rows, HttpStatusCode.OK));
        await ScoreAsync(scorer, scoringUri, "wrong-key", rows, HttpStatusCode.Unauthorized);

        using (var regenerate = await client.PostAsJsonAsync($"{endpoint}/regenerateKeys?{Preview}", new { keyType = "Primary" }))
        {
            Assert.Equal(HttpStatusCode.OK, regenerate.StatusCode);
        }

        await ScoreAsync(scorer, scoringUri, primary, rows, HttpStatusCode.Unauthorized);
        Assert.Equal("[1,0]", await ScoreAsync(scorer, scoringUri, secondary, rows, HttpStatusCode.OK));

        using var failing = new HttpRequestMessage(HttpMethod.Post, scoringUri) { Content = new StringContent("""{"data": "boom"}""", Encoding.UTF8, "application/json") };
        failing.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secondary);
        using var failed = await scorer.SendAsync(failing);
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("True", failed.Headers.GetValues("X-Ms-Run-Function-Failed").Single());
        Assert.Contains("asked to fail", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Scoring is counted like consuming, per deployment (refused keys never reach it); the factory's clock stands still.
        var calls = Assert.Single(factory.Services.GetRequiredService<FerryMetrics>().Points($"endpoint:{workspace.Split('/')[4]}/ws1/iris-ep", "blue"));
        Assert.Equal((3, 1, 0), (calls.Calls, calls.Failures, calls.Errors));

        // A body that never ends (sent as a stream: the factory's client would buffer it first): without a key it is
        // refused unread; with one it is cut off at the scoring limit.
        using var streaming = factory.Server.CreateClient();
        using (var endless = new HttpRequestMessage(HttpMethod.Post, scoringUri) { Content = new EndlessContent() })
        using (var refused = await streaming.SendAsync(endless).WaitAsync(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var endless = new HttpRequestMessage(HttpMethod.Post, scoringUri) { Content = new EndlessContent() })
        {
            endless.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secondary);
            using var tooLarge = await streaming.SendAsync(endless).WaitAsync(TimeSpan.FromSeconds(60));
            await HttpAssert.ErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "16777216-byte limit");
        }
    }

    [Fact]
    public async Task ProvisioningEnd_WritesTheStateAlone_KeepsRotatedKeys_DoesNotBringBackADeletedOne()
    {
        var store = factory.Services.GetRequiredService<IOnlineEndpointStore>();
        var name = "ep" + Guid.NewGuid().ToString("N")[..8];
        var creating = new OnlineEndpoint("rg", "ws", name, "centralus", null, "Key", "old-primary", "secondary", new Dictionary<string, int>(), "Creating", DateTimeOffset.UnixEpoch);
        await store.UpsertAsync(creating, CancellationToken.None);
        await store.UpsertAsync(creating with { PrimaryKey = "rotated" }, CancellationToken.None); // regenerateKeys while it is created

        Assert.True(await store.SetStateAsync("rg", "ws", name, "Succeeded", CancellationToken.None));
        var done = await store.FindAsync("rg", "ws", name, CancellationToken.None);
        Assert.Equal(("Succeeded", "rotated"), (done!.ProvisioningState, done.PrimaryKey));

        Assert.False(await store.SetDeploymentStateAsync("rg", "ws", name, "blue", "Succeeded", CancellationToken.None));
        Assert.Null(await store.FindDeploymentAsync("rg", "ws", name, "blue", CancellationToken.None));
        Assert.True(await store.DeleteAsync("rg", "ws", name, CancellationToken.None));
        Assert.False(await store.SetStateAsync("rg", "ws", name, "Succeeded", CancellationToken.None));
        Assert.Null(await store.FindAsync("rg", "ws", name, CancellationToken.None));
    }

    private static async Task<string> ScoreAsync(HttpClient client, string uri, string key, string body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text;
    }
}
