using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ferry.Server.Tests.Batches;

/// <summary>The batch calls as a client makes them: start, poll until a state, read results.</summary>
public static class BatchApi
{
    public static async Task<string> StartAsync(HttpClient client, string service, object records, int? parallelCount = null)
    {
        var query = parallelCount is null ? "" : $"?parallelCount={parallelCount}";
        using var response = await client.PostAsJsonAsync($"/api/{service}/batch{query}", records);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var body = await Infrastructure.HttpAssert.OkJsonAsync(response);
        var id = body.GetProperty("batchExecutionId").GetString()!;
        Assert.Equal(id, body.GetProperty("BatchExecutionId").GetString());
        return id;
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, string service, string id, bool partial = false)
    {
        using var response = await client.GetAsync($"/api/{service}/batch/{id}{(partial ? "?showPartialResult=true" : "")}");
        return await Infrastructure.HttpAssert.OkJsonAsync(response);
    }

    /// <summary>Polls until <paramref name="done"/> holds (at most about a minute) and returns that status.</summary>
    public static async Task<JsonElement> PollAsync(HttpClient client, string service, string id, Func<JsonElement, bool> done, bool partial = false)
    {
        JsonElement status = default;
        for (var i = 0; i < 1200; i++)
        {
            status = await StatusAsync(client, service, id, partial);
            if (done(status))
            {
                return status;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"The batch never got there: {status}");
        return status;
    }

    public static Task<JsonElement> CompleteAsync(HttpClient client, string service, string id) =>
        PollAsync(client, service, id, s => s.GetProperty("state").GetString() is "complete" or "failed");

    public static string State(this JsonElement status) => status.GetProperty("state").GetString()!;

    public static int Completed(this JsonElement status) => status.GetProperty("completedItemCount").GetInt32();
}
