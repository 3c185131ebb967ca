using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Server.Tests.Batches;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.R;

/// <summary>
/// The classic mrsdeploy walk through the REST API, with a real R: train a model in an R session,
/// snapshot it, publish a service from the snapshot, consume it; plus services answering a
/// data.frame and a PNG the code wrote.
/// </summary>
public sealed class MrsDeployWalkTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task CarsModel_TrainedInASession_PublishedFromItsSnapshot_AnswersWhatRComputes()
    {
        using var client = await factory.LoggedInClientAsync();
        using var created = await client.PostAsJsonAsync("/sessions", new { name = "cars" }); // runtimeType defaults to R
        var session = (await HttpAssert.OkJsonAsync(created)).GetProperty("sessionId").GetString()!;
        var trained = await SessionApi.ExecuteAsync(client, session, new
        {
            code = "carsModel <- glm(am ~ hp + wt, data = mtcars, family = binomial)\nexpected <- predict(carsModel, data.frame(hp = 120, wt = 2.8), type = \"response\")\nprint(round(expected, 7))",
            outputParameters = new[] { "expected" },
        });
        Assert.True(trained.GetProperty("success").GetBoolean(), trained.ToString());
        Assert.Contains("0.6418125", trained.GetProperty("consoleOutput").GetString(), StringComparison.Ordinal);
        var expected = trained.GetProperty("outputParameters")[0].GetProperty("value").GetDouble();

        using var snapshotted = await client.PostAsJsonAsync($"/sessions/{session}/snapshot", new { name = "cars" });
        Assert.Equal(HttpStatusCode.Created, snapshotted.StatusCode);
        var snapshot = (await HttpAssert.OkJsonAsync(snapshotted)).GetProperty("snapshotId").GetString()!;

        var name = $"mtService{Guid.NewGuid():N}";
        using var published = await client.PostAsJsonAsync($"/services/{name}/v1.0.0", new
        {
            snapshotId = snapshot,
            runtimeType = "R",
            code = "answer <- predict(carsModel, data.frame(hp = hp, wt = wt), type = \"response\")",
            inputParameterDefinitions = new[] { new { name = "hp", type = "numeric" }, new { name = "wt", type = "numeric" } },
            outputParameterDefinitions = new[] { new { name = "answer", type = "numeric" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var answer = await ConsumeAsync(client, name, "v1.0.0", new { hp = 120, wt = 2.8 });
        Assert.True(answer.GetProperty("success").GetBoolean(), answer.ToString());
        var value = answer.GetProperty("outputParameters").GetProperty("answer").GetDouble();
        Assert.Equal(expected, value, 1e-12);
        Assert.Equal(0.6418125, value, 1e-7);

        using var service = await client.GetAsync($"/services/{name}/v1.0.0");
        Assert.Equal("R", (await HttpAssert.OkJsonAsync(service)).GetProperty("runtimeType").GetString());
    }

    [Fact]
    public async Task Service_AnswersADataFrameAndAPng()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = $"rframe{Guid.NewGuid():N}";
        using var published = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            runtimeType = "R",
            code = "top <- head(mtcars[order(-mtcars$mpg), c(\"mpg\", \"cyl\")], n)\npng(\"plot.png\")\nplot(mtcars$wt, mtcars$mpg)\ninvisible(dev.off())",
            inputParameterDefinitions = new[] { new { name = "n", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "top", type = "data.frame" } },
            outputFileNames = new[] { "plot.png" },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var result = await ConsumeAsync(client, name, "1.0", new { n = 3 });
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        var top = result.GetProperty("outputParameters").GetProperty("top");
        Assert.Equal("[33.9,32.4,30.4]", top.GetProperty("mpg").GetRawText());
        Assert.Equal("[4,4,4]", top.GetProperty("cyl").GetRawText());
        var png = Convert.FromBase64String(result.GetProperty("outputFiles").GetProperty("plot.png").GetString()!);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public async Task Batch_OfAnRService_AnswersEachRecordAsASingleConsume()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = $"rbatch{Guid.NewGuid():N}";
        using var published = await client.PostAsJsonAsync($"/services/{name}/1.0", new
        {
            runtimeType = "R",
            code = "if (x == 3) stop(\"no threes\")\ny <- x * 2L",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var id = await BatchApi.StartAsync(client, $"{name}/1.0", Enumerable.Range(0, 20).Select(x => new { x }), parallelCount: 2);
        var status = await BatchApi.CompleteAsync(client, $"{name}/1.0", id);
        Assert.Equal("complete", status.State());
        var results = status.GetProperty("batchExecutionResults").EnumerateArray().ToList();
        Assert.Equal(20, results.Count);
        for (var x = 0; x < 20; x++)
        {
            var single = await ConsumeAsync(client, name, "1.0", new { x });
            Assert.Equal(single.GetProperty("success").GetBoolean(), results[x].GetProperty("success").GetBoolean());
            Assert.Equal(single.GetProperty("outputParameters").GetRawText(), results[x].GetProperty("outputParameters").GetRawText());
        }

        Assert.Contains("no threes", results[3].GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ConsumeAsync(HttpClient client, string name, string version, object inputs)
    {
        using var response = await client.PostAsJsonAsync($"/api/{name}/{version}", inputs);
        return await HttpAssert.OkJsonAsync(response);
    }
}
