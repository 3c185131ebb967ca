using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Errors;

/// <summary>
/// Inputs that once made the server answer 500 (issue 12): each is a 4xx naming the problem, and
/// nothing is stored half-way.
/// </summary>
public sealed class HostileInputTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private const string Preview = "api-version=2021-03-01-preview";

    [Fact]
    public async Task PublishService_NameEndingInNewline_Is400AndNothingIsStored()
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.PostAsJsonAsync("/services/nl%0A/1.0", new { code = "y = 1", runtimeType = "Python" });
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "name");

        using var list = await client.GetAsync("/services");
        Assert.DoesNotContain((await HttpAssert.OkJsonAsync(list)).EnumerateArray(), s => s.GetProperty("name").GetString()!.StartsWith("nl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("west\u00e9")]
    [InlineData("a\r\nb")]
    [InlineData("\u0000")]
    [InlineData("../../../../../login?x=")]
    public async Task PutWorkspace_LocationThatIsNotARegionName_Is400AndNotCreated(string location)
    {
        using var client = await factory.LoggedInClientAsync();
        var group = await ArmApi.CreateGroupAsync(client);
        var workspace = $"{group}/providers/Microsoft.MachineLearningServices/workspaces/loc{Guid.NewGuid().ToString("N")[..8]}";
        using var put = await client.PutAsJsonAsync($"{workspace}?{ArmApi.ApiVersion}", new { location });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("'location' must be a region's name", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var get = await client.GetAsync($"{workspace}?{ArmApi.ApiVersion}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Theory]
    [InlineData("ЖЖ")]
    [InlineData("rg%0A")]
    public async Task PutResourceGroup_NameOutsideArmRules_Is400AndNotCreated(string name)
    {
        using var client = await factory.LoggedInClientAsync();
        var subscription = await ArmApi.SubscriptionAsync(client);
        using var put = await client.PutAsJsonAsync($"/subscriptions/{subscription}/resourceGroups/{name}?{ArmApi.ApiVersion}", new { location = "westus2" });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var error = JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("InvalidResourceGroup", error.GetProperty("code").GetString());
        Assert.Contains("is invalid", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var get = await client.GetAsync($"/subscriptions/{subscription}/resourceGroups/{name}?{ArmApi.ApiVersion}");
        Assert.True(get.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"got {(int)get.StatusCode}");
    }

    [Fact]
    public async Task UploadSessionFile_NameOver255Utf8Bytes_Is400AndNothingIsWritten()
    {
        using var client = await factory.LoggedInClientAsync();
        var session = await SessionApi.CreateAsync(client);
        var name = new string('é', 200); // 200 characters, 400 bytes of UTF-8
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", name } };
        using var response = await client.PostAsync($"/sessions/{session}/files", form);
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "400 bytes long");

        using var files = await client.GetAsync($"/sessions/{session}/files");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(files)).GetArrayLength());
    }

    [Fact]
    public async Task UploadSessionFile_MalformedMultipart_Is400()
    {
        using var client = await factory.LoggedInClientAsync();
        var session = await SessionApi.CreateAsync(client);
        using var body = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno closing boundary");
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using var response = await client.PostAsync($"/sessions/{session}/files", body);
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "not well-formed multipart");

        using var files = await client.GetAsync($"/sessions/{session}/files");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(files)).GetArrayLength());
    }

    [Theory]
    [InlineData("1e12")]
    [InlineData("100.5")]
    public async Task PutOnlineEndpoint_TrafficNotAWholePercentage_Is400AndNotCreated(string value)
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var endpoint = $"{workspace}/onlineEndpoints/ep-traffic";
        using var put = await client.PutAsync(
            $"{endpoint}?{Preview}", Json("""{"location":"centralus","properties":{"authMode":"Key","traffic":{"blue":""" + value + "}}}"));
        await ArmErrorAsync(put, HttpStatusCode.BadRequest, "traffic['blue'] must be a whole number");

        using var get = await client.GetAsync($"{endpoint}?{Preview}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Theory]
    [InlineData("1e12")]
    [InlineData("1.5")]
    public async Task PutOnlineDeployment_InstanceCountNotAWholeNumber_Is400(string value)
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var put = await client.PutAsync(
            $"{workspace}/onlineEndpoints/ep-count/deployments/blue?{Preview}",
            Json("""{"location":"centralus","properties":{"model":{"assetId":"azureml:iris:1"},"scaleSettings":{"instanceCount":""" + value + "}}}"));
        await ArmErrorAsync(put, HttpStatusCode.BadRequest, "instanceCount must be a whole number");
    }

    [Theory]
    [InlineData("a%00b.py", "control character")]
    [InlineData("LONG", "bytes long")]
    public async Task UploadArtifact_PathNotStorable_Is400AndListsNothing(string path, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var container = $"/artifact/v2.0{workspace}/artifacts/LocalUpload/bad";
        path = path == "LONG" ? new string('a', 300) : path;
        using var put = await client.PutAsync($"{container}/content?path={path}", new StringContent("x"));
        await ArmErrorAsync(put, HttpStatusCode.BadRequest, fragment);

        using var list = await client.GetAsync(container);
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task UploadArtifact_FileWhereADirectoryIsNeededOrTheReverse_Is409AndKeepsTheFile()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        var container = $"/artifact/v2.0{workspace}/artifacts/LocalUpload/clash";
        (await client.PutAsync($"{container}/content?path=a", new StringContent("file a"))).EnsureSuccessStatusCode();
        (await client.PutAsync($"{container}/content?path=d/x", new StringContent("file d/x"))).EnsureSuccessStatusCode();

        using var under = await client.PutAsync($"{container}/content?path=a/b", new StringContent("x"));
        await ArmErrorAsync(under, HttpStatusCode.Conflict, "'a' is a file");
        using var over = await client.PutAsync($"{container}/content?path=d", new StringContent("x"));
        await ArmErrorAsync(over, HttpStatusCode.Conflict, "directory");

        Assert.Equal("file a", await client.GetStringAsync($"{container}/content?path=a"));
        Assert.Equal("file d/x", await client.GetStringAsync($"{container}/content?path=d/x"));
    }

    [Theory]
    [InlineData("not a zip", "not a zip archive")]
    [InlineData("", "is empty")]
    public async Task StartRun_ProjectZipFileNotAZip_Is400AndNoRunIsStored(string content, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "projectZipFile", "project.zip" },
            { new StringContent("""{"Configuration":{"Script":"train.py","Target":"local"}}"""), "runDefinitionFile", "definition.json" },
        };
        using var response = await client.PostAsync($"/execution/v1.0{workspace}/experiments/badzip/startrun?{ArmApi.ApiVersion}", form);
        await ArmErrorAsync(response, HttpStatusCode.BadRequest, fragment);

        using var experiments = await client.GetAsync($"/history/v1.0{workspace}/experiments?{ArmApi.ApiVersion}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(experiments)).GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task StartRun_MalformedMultipart_Is400()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var body = new StringContent("--b\r\nContent-Disposition: form-data; name=\"projectZipFile\"; filename=\"p.zip\"\r\n\r\ntruncated");
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        using var response = await client.PostAsync($"/execution/v1.0{workspace}/experiments/badform/startrun?{ArmApi.ApiVersion}", body);
        await ArmErrorAsync(response, HttpStatusCode.BadRequest, "not well-formed");
    }

    [Theory]
    [InlineData("""{"x":"\ud800"}""", "The string at $.x holds an unpaired UTF-16 surrogate")]
    [InlineData("""{"x":"a\udc00b"}""", "The string at $.x holds an unpaired UTF-16 surrogate")]
    [InlineData("""{"x":"fine","\ud800":"y"}""", "A property name in $ holds an unpaired UTF-16 surrogate")]
    public async Task Consume_LoneSurrogateInAStringOrName_Is400NamingIt(string body, string fragment)
    {
        using var client = await factory.LoggedInClientAsync();
        var name = await PublishEchoAsync(client);
        using (var single = await client.PostAsync($"/api/{name}/1.0", Json(body)))
        {
            await HttpAssert.ErrorAsync(single, HttpStatusCode.BadRequest, fragment);
        }

        using (var batch = await client.PostAsync($"/api/{name}/1.0/batch", Json($"[{body}]")))
        {
            await HttpAssert.ErrorAsync(batch, HttpStatusCode.BadRequest, fragment.Replace("$", "$[0]", StringComparison.Ordinal));
        }

        using var paired = await client.PostAsync($"/api/{name}/1.0", Json("""{"x":"\ud83d\ude00"}"""));
        Assert.Equal("\U0001F600", (await HttpAssert.OkJsonAsync(paired)).GetProperty("outputParameters").GetProperty("y").GetString());
    }

    [Fact]
    public async Task Execute_LoneSurrogateInAnInputParameter_Is400NamingItAndTheSessionLives()
    {
        using var client = await factory.LoggedInClientAsync();
        var session = await SessionApi.CreateAsync(client);
        using (var execute = await client.PostAsync($"/sessions/{session}/execute", Json("""{"code":"y = x","inputParameters":[{"name":"x","value":"\ud800"}]}""")))
        {
            await HttpAssert.ErrorAsync(execute, HttpStatusCode.BadRequest, "The string at $ holds an unpaired UTF-16 surrogate (an escape from \\ud800 to \\udfff without its pair), which is not valid Unicode text. ($ there is the body's $.inputParameters[0].value.)");
        }

        Assert.Equal("ok", (await SessionApi.RunAsync(client, session, "t = 'ok'", "t"))["t"].GetString());
    }

    [Fact]
    public async Task PutCompute_LoneSurrogateInItsProperties_Is400AndNotCreated()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var put = await client.PutAsync(
            $"{workspace}/computes/odd?{Preview}",
            Json("""{"location":"westus2","properties":{"computeType":"AmlCompute","properties":{"scaleSettings":{"maxNodeCount":1},"x":"\ud800"}}}"""));
        await ArmErrorAsync(put, HttpStatusCode.BadRequest, "The string at $.properties.x holds an unpaired UTF-16 surrogate (an escape from \\ud800 to \\udfff without its pair), which is not valid Unicode text. ($ there is the body's $.properties.)");

        using var get = await client.GetAsync($"{workspace}/computes/odd?{Preview}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task StartRun_LoneSurrogateAnywhereInTheDefinition_Is400AndNoRunIsStored()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var response = await ArmApi.PostRunAsync(
            client, workspace, "poison", ("c.py", "print('clean')"), """{"Configuration":{"Script":"c.py","Target":"local"},"Extra":"\udc00"}""");
        await ArmErrorAsync(response, HttpStatusCode.BadRequest, "The string at $.Extra holds an unpaired UTF-16 surrogate");

        using var experiments = await client.GetAsync($"/history/v1.0{workspace}/experiments?{ArmApi.ApiVersion}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(experiments)).GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Consume_ServiceWhoseInitCodeExits_Is200WithSuccessFalseNamingIt()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = $"exits-{Guid.NewGuid():N}"[..16];
        using (var publish = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "y = 1",
            initCode = "import os\nos._exit(3)",
            runtimeType = "Python",
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var consume = await client.PostAsJsonAsync($"/api/{name}/1.0", new { });
            var result = await HttpAssert.OkJsonAsync(consume);
            Assert.False(result.GetProperty("success").GetBoolean());
            Assert.Contains("initCode", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        }

        using var status = await client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Fact]
    public async Task Consume_OutputStringWithALoneSurrogate_Is200AndTheServiceKeepsServing()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = $"surrogate-{Guid.NewGuid():N}"[..18];
        using (var publish = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "s = chr(0xD800) + 'x' if odd else 'fine'",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "odd", type = "logical" } },
            outputParameterDefinitions = new[] { new { name = "s", type = "character" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        using (var odd = await client.PostAsJsonAsync($"/api/{name}/1.0", new { odd = true }))
        {
            var result = await HttpAssert.OkJsonAsync(odd);
            Assert.False(result.GetProperty("success").GetBoolean());
            Assert.Contains("Output 's' could not be encoded as JSON", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal); // the worker says so
            Assert.Contains("surrogates not allowed", result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        }

        using var fine = await client.PostAsJsonAsync($"/api/{name}/1.0", new { odd = false });
        Assert.Equal("fine", (await HttpAssert.OkJsonAsync(fine)).GetProperty("outputParameters").GetProperty("s").GetString());
    }

    [Fact]
    public async Task Execute_OutputStringWithALoneSurrogate_IsAFailedExecutionAndTheSessionLives()
    {
        using var client = await factory.LoggedInClientAsync();
        var session = await SessionApi.CreateAsync(client);
        var odd = await SessionApi.ExecuteAsync(client, session, new { code = "s = 'a' + chr(0xDC00)", outputParameters = new[] { "s" } });
        Assert.False(odd.GetProperty("success").GetBoolean());
        Assert.Contains("Output 's' could not be encoded as JSON", odd.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal("a", (await SessionApi.RunAsync(client, session, "t = s[:1]", "t"))["t"].GetString());
    }

    /// <summary>
    /// Python refuses to print integers over 4,300 digits; the worker must fail that call, not die.
    /// (The worker-side fix lands with the sandbox branch.)
    /// </summary>
    [Fact]
    public async Task Consume_OutputIntegerOver4300Digits_Is200WithSuccessFalseAndTheWorkerLives()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = $"huge-{Guid.NewGuid():N}"[..16];
        using (var publish = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "import os\ny = 10 ** 5000 if big else os.getpid()",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "big", type = "logical" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        using (var one = await client.PostAsJsonAsync($"/services/{name}/1.0/pool", new { InitialPoolSize = 1, MaxPoolSize = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode); // one worker: every call below meets the same one
        }

        var pid = await ConsumeIntAsync(client, name, big: false);
        using (var huge = await client.PostAsJsonAsync($"/api/{name}/1.0", new { big = true }))
        {
            var result = await HttpAssert.OkJsonAsync(huge);
            Assert.False(result.GetProperty("success").GetBoolean(), result.ToString());
        }

        Assert.Equal(pid, await ConsumeIntAsync(client, name, big: false));
    }

    private static async Task<int> ConsumeIntAsync(HttpClient client, string name, bool big)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { big });
        var result = await HttpAssert.OkJsonAsync(response);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        return result.GetProperty("outputParameters").GetProperty("y").GetInt32();
    }

    /// <summary>Publishes y = x for a character x; returns its name.</summary>
    private static async Task<string> PublishEchoAsync(HttpClient client)
    {
        var name = $"echo-{Guid.NewGuid():N}"[..16];
        using var publish = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "y = x",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "character" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "character" } },
        });
        Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        return name;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task ArmErrorAsync(HttpResponseMessage response, HttpStatusCode status, string fragment)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var message = JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains(fragment, message, StringComparison.OrdinalIgnoreCase);
    }
}
