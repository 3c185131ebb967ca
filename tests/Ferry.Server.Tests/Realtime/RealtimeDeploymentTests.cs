using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Realtime;

/// <summary>Azure ML's no-code deployment: an online deployment without codeConfiguration whose registered model is ONNX, scored natively.</summary>
public sealed class RealtimeDeploymentTests(FerryFactory factory, OnnxModels models) : IClassFixture<FerryFactory>, IClassFixture<OnnxModels>
{
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task NoCodeDeployment_OnnxModel_ScoredNativelyWithKeys_NotOnnxIs400()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        await RegisterAsync(client, workspace, "svc", "iris_svc.onnx", models.Bytes("iris_svc"));
        await RegisterAsync(client, workspace, "notonnx", "model.pkl", "not a model"u8.ToArray());

        var endpoint = $"{workspace}/onlineEndpoints/native-ep";
        using (var put = await client.PutAsJsonAsync($"{endpoint}?{Preview}", new { location = "centralus", properties = new { authMode = "Key" } }))
        {
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var bad = await DeployAsync(client, endpoint, "broken", "notonnx"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = (await JsonAsync(bad)).GetProperty("error");
            Assert.Contains("must be an ONNX model", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using (var deploy = await DeployAsync(client, endpoint, "blue", "svc"))
        {
            Assert.Equal(HttpStatusCode.Created, deploy.StatusCode);
            Assert.False((await HttpAssert.OkJsonAsync(deploy)).GetProperty("properties").TryGetProperty("codeConfiguration", out var code) && code.ValueKind != JsonValueKind.Null);
            Assert.Equal("Succeeded", await ArmApi.PollAsync(client, deploy.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        (await client.PatchAsJsonAsync($"{endpoint}?{Preview}", new { properties = new { traffic = new Dictionary<string, int> { ["blue"] = 100 } } })).Dispose();
        using var get = await client.GetAsync($"{endpoint}?{Preview}");
        var scoringUri = new Uri((await HttpAssert.OkJsonAsync(get)).GetProperty("properties").GetProperty("scoringUri").GetString()!).PathAndQuery;
        using var keys = await client.PostAsync($"{endpoint}/listKeys?{Preview}", null);
        var key = (await HttpAssert.OkJsonAsync(keys)).GetProperty("primaryKey").GetString()!;

        using var scorer = factory.CreateClient();
        var frame = """{"inputData": {"a": [7, 5.1], "b": [3.2, 3.5], "c": [4.7, 1.4], "d": [1.4, 0.2]}}""";
        var split = """{"input_data": {"columns": ["a", "b", "c", "d"], "index": [0, 1], "data": [[7, 3.2, 4.7, 1.4], [5.1, 3.5, 1.4, 0.2]]}}""";
        Assert.Equal(new long[] { 1, 0 }, Labels(await ScoreAsync(scorer, scoringUri, key, frame, HttpStatusCode.OK)));
        Assert.Equal(new long[] { 1, 0 }, Labels(await ScoreAsync(scorer, scoringUri, key, split, HttpStatusCode.OK)));
        await ScoreAsync(scorer, scoringUri, "wrong-key", frame, HttpStatusCode.Unauthorized);
        Assert.Contains("takes 4 numeric columns", await ScoreAsync(scorer, scoringUri, key, """{"inputData": {"a": [1]}}""", HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("input_data", await ScoreAsync(scorer, scoringUri, key, """{"data": [[1, 2, 3, 4]]}""", HttpStatusCode.BadRequest), StringComparison.Ordinal);
        var lone = """{"input_data": {"columns": ["a\ud800", "b", "c", "d"], "data": [[7, 3.2, 4.7, 1.4]]}}""";
        Assert.Contains("unpaired UTF-16 surrogate", await ScoreAsync(scorer, scoringUri, key, lone, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    private static async Task RegisterAsync(HttpClient client, string workspace, string name, string file, byte[] bytes)
    {
        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/{name}/content?path={file}", new ByteArrayContent(bytes))).Dispose();
        using var model = await client.PostAsJsonAsync($"/modelmanagement/v1.0{workspace}/models?{ArmApi.ApiVersion}", new
        {
            name, url = $"aml://artifact/LocalUpload/{name}/{file}", mimeType = "application/octet-stream",
        });
        Assert.Equal($"{name}:1", (await HttpAssert.OkJsonAsync(model)).GetProperty("id").GetString());
    }

    private static Task<HttpResponseMessage> DeployAsync(HttpClient client, string endpoint, string name, string model) =>
        client.PutAsJsonAsync($"{endpoint}/deployments/{name}?{Preview}", new
        {
            location = "centralus",
            properties = new
            {
                endpointComputeType = "Managed",
                model = new { referenceType = "Id", assetId = $"azureml:{model}:1" },
                scaleSettings = new { scaleType = "Manual", instanceCount = 1 },
            },
        });

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static long[] Labels(string body) => [.. JsonDocument.Parse(body).RootElement.GetProperty("label").EnumerateArray().Select(l => l.GetInt64())];

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
