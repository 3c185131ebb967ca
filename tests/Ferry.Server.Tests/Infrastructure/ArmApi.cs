using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>The ARM calls most Azure-ML tests make, as curl would.</summary>
public static class ArmApi
{
    public const string ApiVersion = "api-version=2019-11-01";

    public static async Task<string> SubscriptionAsync(HttpClient client)
    {
        using var response = await client.GetAsync($"/subscriptions?{ApiVersion}");
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("value")[0].GetProperty("subscriptionId").GetString()!;
    }

    /// <summary>A new resource group; returns its ARM path.</summary>
    public static async Task<string> CreateGroupAsync(HttpClient client)
    {
        var group = $"/subscriptions/{await SubscriptionAsync(client)}/resourceGroups/rg-{Guid.NewGuid():N}";
        using var put = await client.PutAsJsonAsync($"{group}?{ApiVersion}", new { location = "centralus" });
        put.EnsureSuccessStatusCode();
        return group;
    }

    /// <summary>A new resource group and a provisioned workspace in it; returns the workspace's ARM path.</summary>
    public static async Task<string> CreateWorkspaceAsync(HttpClient client)
    {
        var path = $"{await CreateGroupAsync(client)}/providers/Microsoft.MachineLearningServices/workspaces/ws1";
        using var put = await client.PutAsJsonAsync($"{path}?{ApiVersion}", new { location = "centralus" });
        Assert.Equal("Succeeded", await PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        return path;
    }

    /// <summary>Polls an <c>Azure-AsyncOperation</c> URL until its status is terminal.</summary>
    public static async Task<string> PollAsync(HttpClient client, string url)
    {
        for (var i = 0; i < 100; i++)
        {
            using var poll = await client.GetAsync(url);
            var status = (await HttpAssert.OkJsonAsync(poll)).GetProperty("status").GetString()!;
            if (status != "InProgress")
            {
                return status;
            }

            await Task.Delay(50);
        }

        return "InProgress";
    }

    /// <summary>POSTs startrun as curl does: a zip of one file and a run definition, as multipart parts.</summary>
    public static Task<HttpResponseMessage> PostRunAsync(HttpClient client, string workspace, string experiment, (string Name, string Content) file, string definition) =>
        PostRunAsync(client, workspace, experiment, [file], definition);

    /// <summary>POSTs startrun with a zip of these files, and <paramref name="query"/> (e.g. "runId=r1&amp;") before the api-version.</summary>
    public static async Task<HttpResponseMessage> PostRunAsync(HttpClient client, string workspace, string experiment, IReadOnlyList<(string Name, string Content)> files, string definition, string query = "")
    {
        using var zipped = new MemoryStream();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                await using var writer = new StreamWriter(zip.CreateEntry(file.Name).Open());
                await writer.WriteAsync(file.Content);
            }
        }

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(zipped.ToArray()), "projectZipFile", "project.zip" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(definition)), "runDefinitionFile", "definition.json" },
        };
        return await client.PostAsync($"/execution/v1.0{workspace}/experiments/{experiment}/startrun?{query}{ApiVersion}", form);
    }

    /// <summary>Starts a run that must be accepted; returns its id.</summary>
    public static async Task<string> StartRunAsync(HttpClient client, string workspace, string experiment, (string Name, string Content) file, string definition)
    {
        using var response = await PostRunAsync(client, workspace, experiment, file, definition);
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("runId").GetString()!;
    }

    /// <summary>Polls a run until it ends (60 s at most) and returns it as last seen.</summary>
    public static async Task<System.Text.Json.JsonElement> WaitForRunAsync(HttpClient client, string workspace, string experiment, string runId)
    {
        for (var i = 0; ; i++)
        {
            using var response = await client.GetAsync($"/history/v1.0{workspace}/experiments/{experiment}/runs/{runId}?{ApiVersion}");
            var run = await HttpAssert.OkJsonAsync(response);
            if (i >= 600 || run.GetProperty("status").GetString() is "Completed" or "Failed" or "Canceled")
            {
                return run;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The client-credentials token request, form-encoded as curl sends it.</summary>
    public static Task<HttpResponseMessage> RequestTokenAsync(HttpClient client, string tenant, string clientId, string secret) =>
        client.PostAsync($"/{tenant}/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["resource"] = "https://management.azure.com/",
        }));

    /// <summary>
    /// An online endpoint with one deployment, <c>blue</c>, taking all traffic: endpoint and deployment
    /// polled to Succeeded. Returns the scoring URI and the two keys.
    /// </summary>
    /// <summary>
    /// Registers a small model and a scoring script whose <c>run</c> answers <c>"scored " + raw_data</c>, and deploys
    /// them as <paramref name="endpointName"/>'s blue deployment with all traffic; returns its scoring URI and keys.
    /// </summary>
    public static async Task<(string ScoringUri, string Primary, string Secondary)> DeployEchoScorerAsync(HttpClient client, string workspace, string endpointName)
    {
        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/model/content?path=model.bin", new ByteArrayContent([1, 2, 3]))).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/modelmanagement/v1.0{workspace}/models?{ApiVersion}", new { name = "m", url = "aml://artifact/LocalUpload/model/model.bin", mimeType = "application/octet-stream" })).EnsureSuccessStatusCode();
        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/score/content?path=score.py", new StringContent("def init():\n    pass\n\ndef run(raw_data):\n    return 'scored ' + raw_data\n"))).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"{workspace}/codes/score/versions/1?api-version=2021-03-01-preview", new { properties = new { path = "LocalUpload/score" } })).EnsureSuccessStatusCode();
        return await DeployAsync(client, workspace, endpointName, $"{workspace}/models/m/versions/1");
    }

    public static async Task<(string ScoringUri, string Primary, string Secondary)> DeployAsync(HttpClient client, string workspace, string endpointName, string modelAssetId)
    {
        const string Preview = "api-version=2021-03-01-preview";
        var endpoint = $"{workspace}/onlineEndpoints/{endpointName}";
        using (var put = await client.PutAsJsonAsync($"{endpoint}?{Preview}", new { location = "westus2", properties = new { authMode = "Key" } }))
        {
            Assert.Equal("Succeeded", await PollAsync(client, put.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        using (var deploy = await client.PutAsJsonAsync($"{endpoint}/deployments/blue?{Preview}", new
        {
            location = "westus2",
            properties = new
            {
                model = new { referenceType = "Id", assetId = modelAssetId },
                codeConfiguration = new { codeId = $"{workspace}/codes/score/versions/1", scoringScript = "score.py" },
                scaleSettings = new { instanceCount = 1 },
            },
        }))
        {
            Assert.Equal("Succeeded", await PollAsync(client, deploy.Headers.GetValues("Azure-AsyncOperation").Single()));
        }

        (await client.PatchAsJsonAsync($"{endpoint}?{Preview}", new { properties = new { traffic = new Dictionary<string, int> { ["blue"] = 100 } } })).Dispose();
        using var got = await client.GetAsync($"{endpoint}?{Preview}");
        var scoringUri = (await HttpAssert.OkJsonAsync(got)).GetProperty("properties").GetProperty("scoringUri").GetString()!;
        using var keys = await client.PostAsync($"{endpoint}/listKeys?{Preview}", null);
        var pair = await HttpAssert.OkJsonAsync(keys);
        return (scoringUri, pair.GetProperty("primaryKey").GetString()!, pair.GetProperty("secondaryKey").GetString()!);
    }
}
