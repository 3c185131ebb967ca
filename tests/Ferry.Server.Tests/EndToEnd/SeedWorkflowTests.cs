using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>The whole walk of DESIGN.md against a real <c>./ferry serve</c>, real Python and scikit-learn.</summary>
public sealed class SeedWorkflowTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Fact]
    public Task SeedWalk_SnapshotPublishConsumePatchVersionDelete_SurvivesSnapshotDeletionAndRestart() => WalkAsync(dataDirectory);

    /// <summary>The walk over a server started with these settings (the storage tests run it on PostgreSQL too).</summary>
    internal static async Task WalkAsync(string dataDirectory, params string[] settings)
    {
        await using (var server = await FerryProcess.ServeAsync(dataDirectory, "secret-password", settings))
        {
            using var client = await server.LoggedInClientAsync("admin", "secret-password");
            using (var status = await client.GetAsync("/status"))
            {
                Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            }

            var (session, snapshot) = await IrisService.TrainAndSnapshotAsync(client);
            using (var snapshots = await client.GetAsync("/snapshots"))
            {
                var listed = (await HttpAssert.OkJsonAsync(snapshots)).EnumerateArray().Single();
                Assert.Equal("Iris Snapshot", listed.GetProperty("name").GetString());
                Assert.True(listed.GetProperty("contentSize").GetInt64() > 0);
            }

            using (var published = await client.PostAsJsonAsync("/services/Iris/V1.0", IrisService.Publish(snapshot)))
            {
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            }

            // The Python client closes the session and deletes the snapshot right after publishing.
            (await client.DeleteAsync($"/sessions/{session}")).Dispose();
            (await client.DeleteAsync($"/snapshots/{snapshot}")).Dispose();

            using (var get = await client.GetAsync("/services/Iris/V1.0"))
            {
                var service = await HttpAssert.OkJsonAsync(get);
                Assert.Equal("admin", service.GetProperty("versionPublishedBy").GetString());
                Assert.Equal("read/write", service.GetProperty("myPermissionOnService").GetString());
                Assert.Equal("Python", service.GetProperty("runtimeType").GetString());
            }

            using (var swagger = await client.GetAsync("/api/Iris/V1.0/swagger.json"))
            {
                var document = await HttpAssert.OkJsonAsync(swagger);
                Assert.Equal("2.0", document.GetProperty("swagger").GetString());
                Assert.Equal("ConsumeWebService", document.GetProperty("paths").GetProperty("/api/Iris/V1.0").GetProperty("post").GetProperty("operationId").GetString());
                Assert.Equal("array", document.GetProperty("definitions").GetProperty("InputParameters").GetProperty("properties").GetProperty("flower_data").GetProperty("type").GetString());
                Assert.True(document.GetProperty("definitions").TryGetProperty("WebServiceResult", out _));
            }

            await AssertPredictionsAsync(client);

            using (var patched = await client.PatchAsJsonAsync("/services/Iris/V1.0", new { description = "Iris species, patched" }))
            {
                Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            }

            var (session2, snapshot2) = await IrisService.TrainAndSnapshotAsync(client);
            using (var v2 = await client.PostAsJsonAsync("/services/Iris/V2.0", IrisService.Publish(snapshot2, "iris_species = names[clf.predict([flower_data])[0]]", "character")))
            {
                Assert.Equal(HttpStatusCode.Created, v2.StatusCode);
            }

            (await client.DeleteAsync($"/sessions/{session2}")).Dispose();
            using (var consumed = await client.PostAsJsonAsync("/api/Iris/V2.0", new { flower_data = new[] { 3, 2.6, 3, 2.5 } }))
            {
                var result = await HttpAssert.OkJsonAsync(consumed);
                Assert.Equal("I. virginica", result.GetProperty("outputParameters").GetProperty("iris_species").GetString());
            }

            using (var versions = await client.GetAsync("/services/Iris"))
            {
                var listed = (await HttpAssert.OkJsonAsync(versions)).EnumerateArray().ToList();
                Assert.Equal(["V1.0", "V2.0"], listed.Select(s => s.GetProperty("version").GetString()!));
                Assert.Equal("Iris species, patched", listed[0].GetProperty("description").GetString());
            }

            using (var deleted = await client.DeleteAsync("/services/Iris/V2.0"))
            {
                Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            }

            using var gone = await client.PostAsJsonAsync("/api/Iris/V2.0", new { flower_data = new[] { 3, 2.6, 3, 2.5 } });
            await HttpAssert.ErrorAsync(gone, HttpStatusCode.NotFound, "no web service 'Iris' version 'V2.0'");
        }

        await using (var restarted = await FerryProcess.ServeAsync(dataDirectory, null, settings))
        {
            using var client = await restarted.LoggedInClientAsync("admin", "secret-password");
            await AssertPredictionsAsync(client);
            using var all = await client.GetAsync("/services");
            Assert.Equal("V1.0", (await HttpAssert.OkJsonAsync(all)).EnumerateArray().Single().GetProperty("version").GetString());
        }
    }

    private static async Task AssertPredictionsAsync(HttpClient client)
    {
        Assert.Equal("I. versicolor", await IrisService.PredictAsync(client, "V1.0", [7, 3.2, 4.7, 1.4]));
        Assert.Equal("I. virginica", await IrisService.PredictAsync(client, "V1.0", [3, 2.6, 3, 2.5]));
        Assert.Equal("I. setosa", await IrisService.PredictAsync(client, "V1.0", [5.1, 3.5, 1.4, .2]));
    }
}
