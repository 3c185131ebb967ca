using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>Assertions on responses that keep each test about its behaviour, not its plumbing.</summary>
public static class HttpAssert
{
    /// <summary>Asserts the status and a JSON error body whose message contains the fragment; returns the body.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string messageFragment)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        var message = body.GetProperty("message").GetString()!;
        Assert.Contains(messageFragment, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack traces
        return body;
    }

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Expected success, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string uri, object body) => client.PostAsJsonAsync(uri, body);
}
