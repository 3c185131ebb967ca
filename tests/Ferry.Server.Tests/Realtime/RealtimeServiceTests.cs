using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Tests.Batches;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Realtime;

/// <summary>Realtime web services: ONNX models published as multipart, scored in-process and batched, answered as data.frames.</summary>
public sealed class RealtimeServiceTests(FerryFactory factory, OnnxModels models) : IClassFixture<FerryFactory>, IClassFixture<OnnxModels>
{
    private static readonly string[] Columns = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"];

    [Fact]
    public async Task IrisSvc_AllRows_LabelsEqualScikitLearns()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_svc"), ("description", "Iris SVC"), ("operationId", "classify")))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            Assert.Equal($"/api/{name}/v1", (await HttpAssert.OkJsonAsync(published)).GetString());
        }

        using var service = await client.GetAsync($"/services/{name}/v1");
        var definition = await HttpAssert.OkJsonAsync(service);
        Assert.Equal("Realtime", definition.GetProperty("runtimeType").GetString());
        Assert.Equal("classify", definition.GetProperty("operationId").GetString());
        Assert.Equal("inputData", definition.GetProperty("inputParameterDefinitions")[0].GetProperty("name").GetString());
        Assert.Equal("outputData", definition.GetProperty("outputParameterDefinitions")[0].GetProperty("name").GetString());

        using var response = await client.PostAsJsonAsync($"/api/{name}/v1", new { inputData = Frame(models.Features) });
        var result = await HttpAssert.OkJsonAsync(response);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        var output = result.GetProperty("outputParameters").GetProperty("outputData");
        Assert.Equal(Ints(models.Expected.GetProperty("svc")), Ints(output.GetProperty("label")));
        Assert.Equal(150, output.GetProperty("scores.0").GetArrayLength());
        var timing = string.Join(",", response.Headers.GetValues("Server-Timing"));
        Assert.Matches("queue;dur=[0-9.]+, batch;dur=[0-9.]+;desc=\"[0-9]+\", total;dur=[0-9.]+", timing);

        using var swagger = await client.GetAsync($"/api/{name}/v1/swagger.json");
        var document = await HttpAssert.OkJsonAsync(swagger);
        Assert.Equal("classify", document.GetProperty("paths").GetProperty($"/api/{name}/v1").GetProperty("post").GetProperty("operationId").GetString());
        Assert.True(document.GetProperty("definitions").GetProperty("InputParameters").GetProperty("properties").TryGetProperty("inputData", out _));
    }

    [Fact]
    public async Task TreeEnsembleAndLinearModel_LabelsAndProbabilitiesEqualScikitLearns()
    {
        using var client = await factory.LoggedInClientAsync();
        var tree = Unique();
        using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{tree}/1.0", models.Bytes("iris_tree")))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        var treeOutput = await ScoreAsync(client, tree, "1.0", Frame(models.Features));
        Assert.Equal(Ints(models.Expected.GetProperty("tree")), Ints(treeOutput.GetProperty("label")));
        Assert.Equal(150, treeOutput.GetProperty("probabilities.2").GetArrayLength());

        // Named inputs (four [N,1] tensors concatenated), string labels and a ZipMap: columns map by name, in any order.
        var linear = Unique();
        using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{linear}", models.Bytes("iris_logistic")))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        using var versions = await client.GetAsync($"/services/{linear}");
        var version = (await HttpAssert.OkJsonAsync(versions))[0].GetProperty("version").GetString()!;
        Assert.True(Guid.TryParse(version, out _), version);
        var names = models.Expected.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).Reverse().ToArray();
        var frame = new JsonObject();
        foreach (var column in names)
        {
            var index = Array.IndexOf(models.Expected.GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToArray(), column);
            frame[column] = new JsonArray([.. models.Features.Select(row => (JsonNode?)JsonValue.Create(row[index]))]);
        }

        var output = await ScoreAsync(client, linear, version, frame);
        Assert.Equal(models.Expected.GetProperty("logistic").EnumerateArray().Select(l => l.GetString()), output.GetProperty("label").EnumerateArray().Select(l => l.GetString()));
        var setosa = output.GetProperty("probability.I. setosa").EnumerateArray().Select(p => p.GetDouble()).ToList();
        var expected = models.Expected.GetProperty("logistic_probability").EnumerateArray().Select(p => p[0].GetDouble()).ToList();
        Assert.All(setosa.Zip(expected), pair => Assert.Equal(pair.Second, pair.First, 4));
    }

    [Fact]
    public async Task ConcurrentCalls_EachGetsExactlyItsOwnRows()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_svc"), ("maxBatchSize", "8"), ("maxBatchWaitMs", "1")))
        {
        }

        var expected = Ints(models.Expected.GetProperty("svc"));
        var calls = Enumerable.Range(0, 150).Select(async row =>
        {
            // One row per call, and every tenth call two rows: batches mix calls of different sizes.
            var rows = row % 10 == 0 && row + 1 < 150 ? new[] { models.Features[row], models.Features[row + 1] } : [models.Features[row]];
            var output = await ScoreAsync(client, name, "v1", Frame(rows));
            Assert.Equal(expected.Skip(row).Take(rows.Length), Ints(output.GetProperty("label")));
        });
        await Task.WhenAll(calls);
    }

    [Fact]
    public async Task BadInputs_Return400NamingTheProblem()
    {
        using var client = await factory.LoggedInClientAsync();
        var svc = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{svc}/v1", models.Bytes("iris_svc")))
        {
        }

        var linear = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{linear}/v1", models.Bytes("iris_logistic")))
        {
        }

        var three = new JsonObject { ["a"] = new JsonArray(1.0), ["b"] = new JsonArray(2.0), ["c"] = new JsonArray(3.0) };
        await ExpectAsync(client.PostAsJsonAsync($"/api/{svc}/v1", new { inputData = three }), "takes 4 numeric columns per row; inputData has 3 ('a', 'b', 'c')");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{svc}/v1", new { flower_data = new[] { 1 } }), "'flower_data' is not an input");
        await ExpectAsync(client.PostAsJsonAsync($"/api/{svc}/v1", new { inputData = new[] { 1 } }), "'inputData' must be a data.frame");
        var missing = new JsonObject { ["sepal_length"] = new JsonArray(5.1), ["sepal_width"] = new JsonArray(3.5), ["petal_length"] = new JsonArray(1.4) };
        await ExpectAsync(client.PostAsJsonAsync($"/api/{linear}/v1", new { inputData = missing }), "no column 'petal_width'");
        var text = new JsonObject { ["sepal_length"] = new JsonArray(5.1), ["sepal_width"] = new JsonArray(3.5), ["petal_length"] = new JsonArray(1.4), ["petal_width"] = new JsonArray("wide") };
        await ExpectAsync(client.PostAsJsonAsync($"/api/{linear}/v1", new { inputData = text }), "The column 'petal_width' must hold numbers");

        // The model takes floats: 1e300 would become an infinity and score as nonsense.
        var huge = new JsonObject { ["sepal_length"] = new JsonArray(5.1, 1e300), ["sepal_width"] = new JsonArray(3.5, 3.5), ["petal_length"] = new JsonArray(1.4, 1.4), ["petal_width"] = new JsonArray(0.2, 0.2) };
        await ExpectAsync(client.PostAsJsonAsync($"/api/{linear}/v1", new { inputData = huge }), "The column 'sepal_length' must hold numbers within a float's range (±3.4e38) for the model's input 'sepal_length' (float); row 2 holds 1E+300");
    }

    [Fact]
    public async Task Publish_NotOnnx_Returns400NamingTheFormats_AndStoresNothing()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        await ExpectAsync(PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", [.. "blob"u8, .. new byte[64]]), "RevoScale");
        await ExpectAsync(PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", "not a model"u8.ToArray()), "Ferry scores ONNX models");
        await ExpectAsync(PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", null, ("description", "no model")), "'model' is required");
        await ExpectAsync(client.PostAsJsonAsync($"/realtime-services/{name}/v1", new { description = "json" }), "multipart/form-data");
        await ExpectAsync(PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_svc"), ("maxBatchSize", "0")), "maxBatchSize must be from 1");
        await ExpectAsync(client.PostAsJsonAsync($"/services/{name}/v1", new { code = "x", runtimeType = "Realtime" }), "/realtime-services");
        using var list = await client.GetAsync($"/services/{name}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task Publish_ModelNamingExternalData_Returns400WithoutServerPaths()
    {
        using var client = await factory.LoggedInClientAsync();
        using var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{Unique()}/v1", models.Bytes("external_data"));
        var error = await HttpAssert.ErrorAsync(published, HttpStatusCode.BadRequest, "not an ONNX model Ferry can load");
        var message = error.GetProperty("message").GetString()!;
        Assert.DoesNotContain(Path.GetTempPath(), message, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.DataDirectory, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_ModelWithAnOutputFerryCannotAnswer_Returns400NamingIt()
    {
        using var client = await factory.LoggedInClientAsync();
        using var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{Unique()}/v1", models.Bytes("bytes_output"));
        await HttpAssert.ErrorAsync(published, HttpStatusCode.BadRequest, "The model's output 'Y' is a tensor of UInt8");
    }

    [Fact]
    public async Task Publish_ModelsThatCouldCopyStringsWithoutBound_Return400NamingTheNode_AndStoreNothing()
    {
        using var client = await factory.LoggedInClientAsync();
        foreach (var (model, node) in new[]
        {
            ("string_tile", "node 'repeat' (Tile) reads 'text', which may hold strings, and Tile can write more strings than it reads"),
            ("string_doubling", "node 'double0' (StringConcat) reads 'text', which may hold strings"),
            ("loop_string_tile", "node 'tile_in_body' (Tile) in the body of node 'loop' (Loop) reads 'word', which may hold strings"),
        })
        {
            var name = Unique();
            using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes(model)))
            {
                var message = (await HttpAssert.ErrorAsync(published, HttpStatusCode.BadRequest, node)).GetProperty("message").GetString()!;
                Assert.Contains("Ferry refuses a model that could copy strings without bound", message, StringComparison.Ordinal);
                Assert.Contains("may only be reshaped", message, StringComparison.Ordinal);
            }

            using var versions = await client.GetAsync($"/services/{name}");
            Assert.Equal(0, (await HttpAssert.OkJsonAsync(versions)).GetArrayLength());
        }
    }

    [Fact]
    public async Task StringModel_NormalizedAndEncoded_PublishesAndScores()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("species_codes")))
        {
            Assert.True(published.StatusCode == HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        }

        var output = await ScoreAsync(client, name, "v1", new JsonObject { ["text"] = new JsonArray("I. Setosa", "I. VIRGINICA", "rose") });
        Assert.Equal([0L, 2L, -1L], Ints(output.GetProperty("code")));
        Assert.Equal(["i. setosa", "i. virginica", "rose"], output.GetProperty("name").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Patch_ReplacesTheModel_DeleteRemovesIt()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_svc")))
        {
        }

        Assert.True((await ScoreAsync(client, name, "v1", Frame(models.Features))).TryGetProperty("scores.0", out _));
        using (var patched = await PublishAsync(client, HttpMethod.Patch, $"/realtime-services/{name}/v1", models.Bytes("iris_tree"), ("description", "now a tree")))
        {
            Assert.Equal("Updated.", (await HttpAssert.OkJsonAsync(patched)).GetString());
        }

        var output = await ScoreAsync(client, name, "v1", Frame(models.Features));
        Assert.Equal(Ints(models.Expected.GetProperty("tree")), Ints(output.GetProperty("label")));
        using var service = await client.GetAsync($"/services/{name}/v1");
        Assert.Equal("now a tree", (await HttpAssert.OkJsonAsync(service)).GetProperty("description").GetString());

        // Its description through the JSON patch; code it has none of.
        using (var described = await client.PatchAsJsonAsync($"/services/{name}/v1", new { description = "json" }))
        {
            Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        }

        await ExpectAsync(client.PatchAsJsonAsync($"/services/{name}/v1", new { code = "y = 1" }), "runs no code");
        await ExpectAsync(PublishAsync(client, HttpMethod.Patch, $"/realtime-services/{name}/v2", models.Bytes("iris_tree")), "There is no web service", HttpStatusCode.NotFound);

        using (var deleted = await client.DeleteAsync($"/services/{name}/v1"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await ExpectAsync(client.PostAsJsonAsync($"/api/{name}/v1", new { inputData = Frame(models.Features) }), "There is no web service", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_CodeServiceThroughRealtime_Returns400_AndItsConsumeHasWorkerTiming()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (var published = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            code = "y = x * 2",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        await ExpectAsync(PublishAsync(client, HttpMethod.Patch, $"/realtime-services/{name}/1.0", models.Bytes("iris_svc")), "not a realtime one");
        using var response = await client.PostAsJsonAsync($"/api/{name}/1.0", new { x = 4 });
        Assert.Equal(8, (await HttpAssert.OkJsonAsync(response)).GetProperty("outputParameters").GetProperty("y").GetInt32());
        Assert.Matches("queue;dur=[0-9.]+, worker;dur=[0-9.]+, total;dur=[0-9.]+", string.Join(",", response.Headers.GetValues("Server-Timing")));
    }

    [Fact]
    public async Task Batch_ARecordTheModelCannotTake_IsThatRecordsSuccessFalse_TheOthersAreScored()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_svc")))
        {
        }

        var three = new JsonObject { ["a"] = new JsonArray(1.0), ["b"] = new JsonArray(2.0), ["c"] = new JsonArray(3.0) };
        var records = new JsonArray(
            new JsonObject { ["inputData"] = Frame(models.Features.Take(2)) },
            new JsonObject { ["inputData"] = three },
            new JsonObject { ["inputData"] = Frame(models.Features.Skip(100).Take(1)) });
        var id = await BatchApi.StartAsync(client, $"{name}/v1", records, parallelCount: 2);
        var status = await BatchApi.CompleteAsync(client, $"{name}/v1", id);
        Assert.Equal("complete", status.State());
        var results = status.GetProperty("batchExecutionResults");
        var expected = Ints(models.Expected.GetProperty("svc"));
        Assert.Equal(expected.Take(2), Ints(results[0].GetProperty("outputParameters").GetProperty("outputData").GetProperty("label")));
        Assert.False(results[1].GetProperty("success").GetBoolean());
        Assert.Contains("takes 4 numeric columns per row", results[1].GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(expected.Skip(100).Take(1), Ints(results[2].GetProperty("outputParameters").GetProperty("outputData").GetProperty("label")));
    }

    [Fact]
    public async Task HostileModels_EndlessLoopStopsAtTheDeadline_HugeOutputsAndAllocationsFailTheirCalls_OthersGoOn()
    {
        await using var limited = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?>
        {
            ["Ferry:Realtime:RunTimeout"] = "00:00:02",
            ["Ferry:Realtime:MaxOutputValues"] = "100000",
        });
        using var client = await limited.LoggedInClientAsync();
        var iris = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{iris}/v1", models.Bytes("iris_svc")))
        {
        }

        foreach (var (model, first, expected) in new[]
        {
            ("endless_loop", 1.0, "ran longer than 2 s (Ferry:Realtime:RunTimeout) and was stopped"),
            ("outer_product", 1.0, "more than the 100000 one run may answer"),
            ("memory_bomb", 2e9, "could not score inputData"),
        })
        {
            var name = Unique();
            using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes(model)))
            {
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            }

            var rows = models.Features.Take(100).Select((r, i) => i == 0 ? [first, .. r[1..]] : r);
            using var response = await client.PostAsJsonAsync($"/api/{name}/v1", new { inputData = Frame(rows) }).WaitAsync(TimeSpan.FromSeconds(60));
            var result = await HttpAssert.OkJsonAsync(response);
            Assert.False(result.GetProperty("success").GetBoolean(), result.ToString());
            Assert.Contains(expected, result.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);

            // The server is still whole: another model scores at once.
            Assert.Equal(Ints(models.Expected.GetProperty("svc")), Ints((await ScoreAsync(client, iris, "v1", Frame(models.Features))).GetProperty("label")));
        }
    }

    [Fact]
    public async Task Publish_ModelWithAGiantConstant_DoesNotComputeIt()
    {
        // ONNX Runtime's constant folding would compute the model's 1 GB tensor while publishing (and at every load): on the heap,
        // outside the arena, with no deadline. Unfolded, it is a run's work, in the arena and under RunTimeout. The process's peak
        // resident memory says whether it was computed.
        using var client = await factory.LoggedInClientAsync();
        var peak = PeakResidentBytes();
        using (var published = await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{Unique()}/v1", models.Bytes("constant_bomb")))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        Assert.True(PeakResidentBytes() - peak < 512L << 20, $"Publishing grew the peak resident memory by {(PeakResidentBytes() - peak) >> 20} MB.");
    }

    [Fact]
    public async Task Strings_ACallThatCouldMakeMoreThanMaxStringBytes_Is400SayingWhy()
    {
        // Every text of the logistic model's string-making nodes counts: its classifier's labels (9 + 13 + 12 bytes) and
        // post_transform ("SOFTMAX", 7), its ZipMap's labels (34): 75 bytes a row may copy.
        await using var limited = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Realtime:MaxStringBytes"] = "750" });
        using var client = await limited.LoggedInClientAsync();
        var name = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{name}/v1", models.Bytes("iris_logistic")))
        {
        }

        JsonObject Rows(int count)
        {
            var names = models.Expected.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
            var frame = new JsonObject();
            for (var c = 0; c < names.Length; c++)
            {
                frame[names[c]] = new JsonArray([.. models.Features.Take(count).Select(row => (JsonNode?)JsonValue.Create(row[c]))]);
            }

            return frame;
        }

        Assert.Equal(10, (await ScoreAsync(client, name, "v1", Rows(10))).GetProperty("label").GetArrayLength());
        using var over = await client.PostAsJsonAsync($"/api/{name}/v1", new { inputData = Rows(11) });
        await HttpAssert.ErrorAsync(over, HttpStatusCode.BadRequest,
            "inputData could make 825 bytes of strings in this model (11 rows of up to 75 bytes of labels, and 2 values that may copy its 0 bytes of strings and the model's 0), "
            + "more than the 750 one run may make (Ferry:Realtime:MaxStringBytes)");

        // The caller's strings, copied by the model's two string values (the lower-cased names, and their Identity): 4 × 2 × their bytes.
        var codes = Unique();
        using (await PublishAsync(client, HttpMethod.Post, $"/realtime-services/{codes}/v1", models.Bytes("species_codes")))
        {
        }

        var names = new JsonObject { ["text"] = new JsonArray([.. Enumerable.Range(0, 10).Select(_ => (JsonNode?)"I. setosa")]) };
        Assert.Equal(10, (await ScoreAsync(client, codes, "v1", names)).GetProperty("code").GetArrayLength());
        using var copied = await client.PostAsJsonAsync($"/api/{codes}/v1", new { inputData = new JsonObject { ["text"] = new JsonArray([.. Enumerable.Range(0, 11).Select(_ => (JsonNode?)"I. setosa")]) } });
        await HttpAssert.ErrorAsync(copied, HttpStatusCode.BadRequest, "inputData could make 792 bytes of strings in this model (11 rows of up to 0 bytes of labels, and 2 values that may copy its 99 bytes of strings and the model's 0)");
    }

    private static async Task<HttpResponseMessage> PublishAsync(HttpClient client, HttpMethod method, string path, byte[]? model, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        if (model is not null)
        {
            form.Add(new ByteArrayContent(model), "model", "model.onnx");
        }

        return await client.SendAsync(new HttpRequestMessage(method, path) { Content = form });
    }

    private static async Task<JsonElement> ScoreAsync(HttpClient client, string name, string version, JsonObject frame)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/{version}", new JsonObject { ["inputData"] = frame });
        var result = await HttpAssert.OkJsonAsync(response);
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        return result.GetProperty("outputParameters").GetProperty("outputData");
    }

    private static async Task ExpectAsync(Task<HttpResponseMessage> call, string fragment, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        using var response = await call;
        await HttpAssert.ErrorAsync(response, status, fragment);
    }

    private static JsonObject Frame(IEnumerable<double[]> rows)
    {
        var list = rows.ToList();
        var frame = new JsonObject();
        for (var c = 0; c < Columns.Length; c++)
        {
            frame[Columns[c]] = new JsonArray([.. list.Select(r => (JsonNode?)JsonValue.Create(r[c]))]);
        }

        return frame;
    }

    /// <summary>The most memory this process has held resident (<c>VmHWM</c>).</summary>
    private static long PeakResidentBytes() =>
        1024 * long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static List<long> Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt64())];

    private static string Unique() => "rt" + Guid.NewGuid().ToString("N")[..10];
}
