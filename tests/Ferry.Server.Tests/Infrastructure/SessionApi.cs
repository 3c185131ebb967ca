using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>The session calls most tests make, as a client makes them.</summary>
public static class SessionApi
{
    public static Task<string> CreateAsync(HttpClient client) => CreateAsync(client, "Python");

    /// <summary>Creates a session of the runtime ("Python" or "R") and returns its id.</summary>
    public static async Task<string> CreateAsync(HttpClient client, string runtime)
    {
        using var response = await client.PostAsJsonAsync("/sessions", new { name = "Session 1", runtimeType = runtime });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await HttpAssert.OkJsonAsync(response)).GetProperty("sessionId").GetString()!;
    }

    public static async Task<JsonElement> ExecuteAsync(HttpClient client, string id, object body)
    {
        using var response = await client.PostAsJsonAsync($"/sessions/{id}/execute", body);
        return await HttpAssert.OkJsonAsync(response);
    }

    /// <summary>Executes code that must succeed and returns its outputs by name.</summary>
    public static async Task<Dictionary<string, JsonElement>> RunAsync(HttpClient client, string id, string code, params string[] outputs)
    {
        var result = await ExecuteAsync(client, id, new { code, outputParameters = outputs });
        Assert.True(result.GetProperty("success").GetBoolean(), result.ToString());
        return result.GetProperty("outputParameters").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!, o => o.GetProperty("value").Clone());
    }
}
