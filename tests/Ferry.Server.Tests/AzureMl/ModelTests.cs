using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.AzureMl;

/// <summary>The model registry: register a run's output twice (versions 1 and 2), list, patch, delete.</summary>
public sealed class ModelTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Register_VersionsAutoIncrement_ListFilterPatchDelete()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var runId = await ArmApi.StartRunAsync(client, workspace, "train", ("train.py", "import os\nos.makedirs('outputs', exist_ok=True)\nopen('outputs/model.pkl', 'wb').write(b'model')"),
            """{"Configuration":{"Script":"train.py"}}""");
        Assert.Equal("Completed", (await ArmApi.WaitForRunAsync(client, workspace, "train", runId)).GetProperty("status").GetString());

        var models = $"/modelmanagement/v1.0{workspace}/models?{ArmApi.ApiVersion}";
        var body = new
        {
            name = "iris",
            url = $"aml://artifact/ExperimentRun/dcid.{runId}/outputs/model.pkl",
            mimeType = "application/octet-stream",
            framework = "ScikitLearn",
            description = "iris SVC",
            kvTags = new { stage = "dev" },
            properties = new { accuracy = "0.98" },
            runId,
        };
        using (var first = await client.PostAsJsonAsync(models, body))
        {
            Assert.Equal("iris:1", (await HttpAssert.OkJsonAsync(first)).GetProperty("id").GetString());
        }

        using (var second = await client.PostAsJsonAsync(models, body))
        {
            var model = await HttpAssert.OkJsonAsync(second);
            Assert.Equal("iris:2", model.GetProperty("id").GetString());
            Assert.Equal(2, model.GetProperty("version").GetInt32());
        }

        using (var missing = await client.PostAsJsonAsync(models, new { name = "x", url = "aml://artifact/ExperimentRun/dcid.nope/outputs/m.pkl", mimeType = "a/b" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(400, error.GetProperty("statusCode").GetInt32());
        }

        using (var noName = await client.PostAsJsonAsync(models, new { url = body.url, mimeType = "a/b" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        }

        foreach (var name in (string[])["../escape", "a/b", "line\nbreak", ".hidden", "iris:2"])
        {
            using var badName = await client.PostAsJsonAsync(models, new { name, url = body.url, mimeType = "a/b" });
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        }

        var item = $"/modelmanagement/v1.0{workspace}/models/iris:1?{ArmApi.ApiVersion}";
        using (var patched = await client.PatchAsync(item, new StringContent(
            """[{"op":"replace","path":"/description","value":"patched"},{"op":"add","path":"/kvTags/owner","value":"ml"}]""", Encoding.UTF8, "application/json")))
        {
            var model = await HttpAssert.OkJsonAsync(patched);
            Assert.Equal("patched", model.GetProperty("description").GetString());
            Assert.Equal("ml", model.GetProperty("kvTags").GetProperty("owner").GetString());
        }

        using (var lone = await client.PatchAsync(item, new StringContent(
            """[{"op":"replace","path":"/description","value":"\ud800"}]""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, lone.StatusCode);
            Assert.Contains("The string at $[0].value holds an unpaired UTF-16 surrogate", await lone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var kept = await client.GetAsync(item))
        {
            Assert.Equal("patched", (await HttpAssert.OkJsonAsync(kept)).GetProperty("description").GetString());
        }

        using (var list = await client.GetAsync($"/modelmanagement/v1.0{workspace}/models?name=iris&tags=owner=ml&{ArmApi.ApiVersion}"))
        {
            Assert.Equal("iris:1", (await HttpAssert.OkJsonAsync(list)).GetProperty("value").EnumerateArray().Single().GetProperty("id").GetString());
        }

        using (var deleted = await client.DeleteAsync(item))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using var gone = await client.GetAsync(item);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var remaining = await client.GetAsync(models);
        Assert.Equal("iris:2", (await HttpAssert.OkJsonAsync(remaining)).GetProperty("value").EnumerateArray().Single().GetProperty("id").GetString());

        // The same registry through mfe (2021-03-01-preview).
        using var mfe = await client.GetAsync($"{workspace}/models/iris/versions/2?api-version=2021-03-01-preview");
        var version = await HttpAssert.OkJsonAsync(mfe);
        Assert.Equal("2", version.GetProperty("name").GetString());
        Assert.Equal(body.url, version.GetProperty("properties").GetProperty("modelUri").GetString());
    }

    [Fact]
    public async Task CodeVersion_NamesUploadedArtifacts()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        const string preview = "api-version=2021-03-01-preview";
        using (var empty = await client.PutAsJsonAsync($"{workspace}/codes/score/versions/1?{preview}", new { properties = new { path = "LocalUpload/nothing" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        (await client.PutAsync($"/artifact/v2.0{workspace}/artifacts/LocalUpload/code1/content?path=score.py", new StringContent("def init(): pass"))).Dispose();
        using (var put = await client.PutAsJsonAsync($"{workspace}/codes/score/versions/1?{preview}", new { properties = new { path = "LocalUpload/code1" } }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var get = await client.GetAsync($"{workspace}/codes/score/versions/1?{preview}");
        var code = await HttpAssert.OkJsonAsync(get);
        Assert.Equal("LocalUpload/code1", code.GetProperty("properties").GetProperty("path").GetString());
        Assert.EndsWith("/codes/score/versions/1", code.GetProperty("id").GetString(), StringComparison.Ordinal);
    }
}
