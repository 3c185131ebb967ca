using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>The MLOps walk of issue 5 against a real <c>./ferry serve</c>, in plain HTTP as curl would speak it, with a service principal.</summary>
public sealed class AzureMlWalkTests : IDisposable
{
    private const string V = "api-version=2019-11-01";
    private const string Preview = "api-version=2021-03-01-preview";
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Fact]
    public async Task Walk_TokenToScoredEndpointWithRotatedKeys()
    {
        await using var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password");
        var created = await FerryProcess.RunAsync(["admin", "sp", "create", "--name", "mlops", "--data-dir", dataDirectory]);
        var sp = JsonDocument.Parse(created.Output.Trim()).RootElement;
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using (var token = await ArmApi.RequestTokenAsync(
            client, sp.GetProperty("tenantId").GetString()!, sp.GetProperty("clientId").GetString()!, sp.GetProperty("clientSecret").GetString()!))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await HttpAssert.OkJsonAsync(token)).GetProperty("access_token").GetString());
        }

        // Resource group, workspace (polled), discovery, compute (polled).
        var subscription = sp.GetProperty("subscriptionId").GetString()!;
        (await client.PutAsJsonAsync($"/subscriptions/{subscription}/resourceGroups/mlops-rg?{V}", new { location = "westus2" })).Dispose();
        var workspace = $"/subscriptions/{subscription}/resourceGroups/mlops-rg/providers/Microsoft.MachineLearningServices/workspaces/mlops-ws";
        using (var put = await client.PutAsJsonAsync($"{workspace}?{V}", new { location = "westus2", identity = new { type = "systemAssigned" } }))
        {
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var get = await client.GetAsync($"{workspace}?{V}"))
        {
            var discoveryUrl = (await HttpAssert.OkJsonAsync(get)).GetProperty("properties").GetProperty("discoveryUrl").GetString()!;
            using var anonymous = new HttpClient();
            var discovery = JsonDocument.Parse(await anonymous.GetStringAsync(discoveryUrl)).RootElement;
            Assert.Equal(server.BaseAddress.GetLeftPart(UriPartial.Authority), discovery.GetProperty("api").GetString());
        }

        using (var compute = await client.PutAsJsonAsync($"{workspace}/computes/cpu-cluster?{V}", new
        {
            location = "westus2",
            properties = new { computeType = "AmlCompute", properties = new { vmSize = "STANDARD_D2_V2", scaleSettings = new { maxNodeCount = 2, minNodeCount = 0 } } },
        }))
        {
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, compute.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        // A hello run, its driver log; a training run that writes the model.
        var hello = await ArmApi.StartRunAsync(client, workspace, "hello", ("hello.py", "import sys\nprint('Hello, REST!', sys.argv[1])"),
            """{"Configuration":{"Script":"hello.py","Arguments":["234"],"Target":"cpu-cluster"}}""");
        Assert.Equal("Completed", await WaitAsync(client, workspace, "hello", hello));
        using (var details = await client.GetAsync($"/history/v1.0{workspace}/experiments/hello/runs/{hello}/details?{V}"))
        {
            var logUrl = (await HttpAssert.OkJsonAsync(details)).GetProperty("logFiles").GetProperty("azureml-logs/70_driver_log.txt").GetString()!;
            using var anonymous = new HttpClient();
            Assert.Contains("Hello, REST! 234", await anonymous.GetStringAsync(logUrl), StringComparison.Ordinal);
        }

        var train = await ArmApi.StartRunAsync(client, workspace, "iris", ("train.py",
            "import os, pickle\nfrom sklearn import svm, datasets\niris = datasets.load_iris()\nos.makedirs('outputs', exist_ok=True)\n"
            + "pickle.dump(svm.SVC(gamma='auto').fit(iris.data, iris.target), open('outputs/model.pkl', 'wb'))"),
            """{"Configuration":{"Script":"train.py","Target":"cpu-cluster"}}""");
        Assert.Equal("Completed", await WaitAsync(client, workspace, "iris", train));

        // Register it twice (iris:1, iris:2); code; endpoint and deployment; traffic.
        var models = $"/modelmanagement/v1.0{workspace}/models?{V}";
        var model = new { name = "iris", url = $"aml://artifact/ExperimentRun/dcid.{train}/outputs/model.pkl", mimeType = "application/octet-stream", runId = train };
        using (var first = await client.PostAsJsonAsync(models, model))
        {
            Assert.Equal("iris:1", (await HttpAssert.OkJsonAsync(first)).GetProperty("id").GetString());
        }

        using (var second = await client.PostAsJsonAsync(models, model))
        {
            Assert.Equal("iris:2", (await HttpAssert.OkJsonAsync(second)).GetProperty("id").GetString());
        }

        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/score/content?path=score.py", new StringContent(
            "import json, os, pickle\ndef init():\n    global model\n    model = pickle.load(open(os.path.join(os.environ['AZUREML_MODEL_DIR'], 'model.pkl'), 'rb'))\n"
            + "def run(raw_data):\n    return model.predict(json.loads(raw_data)['data']).tolist()\n"))).Dispose();
        (await client.PutAsJsonAsync($"{workspace}/codes/score/versions/1?{Preview}", new { properties = new { path = "LocalUpload/score" } })).Dispose();
        var endpoint = $"{workspace}/onlineEndpoints/iris-endpoint";
        var (scoringUri, primary, secondary) = await ArmApi.DeployAsync(client, workspace, "iris-endpoint", $"{workspace}/models/iris/versions/2");

        // Score two rows with the key; a wrong key; rotate the primary.
        const string rows = """{"data": [[7, 3.2, 4.7, 1.4], [3, 2.6, 3, 2.5]]}""";
        Assert.Equal((HttpStatusCode.OK, "[1,2]"), await ScoreAsync(scoringUri, primary, rows));
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScoreAsync(scoringUri, "not-a-key", rows)).Status);
        (await client.PostAsJsonAsync($"{endpoint}/regenerateKeys?{Preview}", new { keyType = "Primary" })).Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, (await ScoreAsync(scoringUri, primary, rows)).Status);
        Assert.Equal((HttpStatusCode.OK, "[1,2]"), await ScoreAsync(scoringUri, secondary, rows));

        // Delete a model version.
        using (var deleted = await client.DeleteAsync($"/modelmanagement/v1.0{workspace}/models/iris:1?{V}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var remaining = await client.GetAsync(models);
        Assert.Equal("iris:2", (await HttpAssert.OkJsonAsync(remaining)).GetProperty("value").EnumerateArray().Single().GetProperty("id").GetString());
    }

    private static async Task<(HttpStatusCode Status, string Body)> ScoreAsync(string uri, string key, string body)
    {
        using var scorer = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await scorer.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> WaitAsync(HttpClient client, string workspace, string experiment, string runId) =>
        (await ArmApi.WaitForRunAsync(client, workspace, experiment, runId)).GetProperty("status").GetString()!;
}
