using System.Net;
using System.Net.Http.Json;
using Ferry.Server.Tests.Batches;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.EndToEnd;

/// <summary>
/// A batch across a restart of the real server (stopped or killed): it goes on after the restart
/// with the records that had no stored result, and a stored result is never recomputed (each worker
/// stamps its results with a token drawn in its initCode, and the tokens stored before the restart stay).
/// </summary>
public sealed class BatchRestartTests : IDisposable
{
    private readonly string dataDirectory = TestDirectory.Create();

    public void Dispose() => TestDirectory.TryDelete(dataDirectory);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_MidBatch_FinishesIt_StoredResultsDoNotRunAgain(bool crash)
    {
        const string Service = "Slow/1.0";
        string id;
        Dictionary<int, string> before;
        await using (var server = await FerryProcess.ServeAsync(dataDirectory, adminPassword: "secret-password"))
        {
            using var client = await server.LoggedInClientAsync("admin", "secret-password");
            using (var published = await client.PostAsJsonAsync($"/services/{Service}", new
            {
                initCode = "import uuid\ntoken = uuid.uuid4().hex",
                code = "import time\ntime.sleep(0.1)\ny = x * 2\nwho = token",
                runtimeType = "Python",
                inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
                outputParameterDefinitions = new[] { new { name = "y", type = "integer" }, new { name = "who", type = "character" } },
            }))
            {
                Assert.Equal(HttpStatusCode.Created, published.StatusCode);
            }

            id = await BatchApi.StartAsync(client, Service, Enumerable.Range(0, 60).Select(x => new { x }), parallelCount: 2);
            var partial = await BatchApi.PollAsync(client, Service, id, s => s.Completed() >= 6, partial: true);
            Assert.Equal("inProgress", partial.State());
            before = partial.GetProperty("batchExecutionResults").EnumerateArray()
                .Select((r, i) => (Result: r, Index: i))
                .Where(r => r.Result.ValueKind != System.Text.Json.JsonValueKind.Null)
                .ToDictionary(r => r.Index, r => r.Result.GetProperty("outputParameters").GetProperty("who").GetString()!);
            if (crash)
            {
                await server.CrashAsync();
            }
        }

        await using (var restarted = await FerryProcess.ServeAsync(dataDirectory, adminPassword: null))
        {
            using var client = await restarted.LoggedInClientAsync("admin", "secret-password");
            var status = await BatchApi.CompleteAsync(client, Service, id);
            Assert.Equal("complete", status.State());
            Assert.Equal(60, status.Completed());
            var results = status.GetProperty("batchExecutionResults").EnumerateArray().ToList();
            for (var i = 0; i < 60; i++)
            {
                Assert.True(results[i].GetProperty("success").GetBoolean(), results[i].ToString());
                Assert.Equal(i * 2, results[i].GetProperty("outputParameters").GetProperty("y").GetInt32());
            }

            foreach (var (index, who) in before)
            {
                Assert.Equal(who, results[index].GetProperty("outputParameters").GetProperty("who").GetString());
            }

            // Records run after the restart ran on the new server's workers.
            Assert.Contains(results, r => !before.ContainsValue(r.GetProperty("outputParameters").GetProperty("who").GetString()!));
        }
    }
}
