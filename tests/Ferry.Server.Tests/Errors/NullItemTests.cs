using System.Net;
using System.Text;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Errors;

/// <summary>A null where a list needs items, or a number where an object is needed, is a 400 naming it (each answered 500) and stores nothing.</summary>
public sealed class NullItemTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task Publish_OutputFileNamesHoldingNull_Is400AndNothingIsStored()
    {
        using var client = await factory.LoggedInClientAsync();
        var name = "nul" + Guid.NewGuid().ToString("N")[..8];
        using var response = await PostJsonAsync(client, $"/services/{name}/v1", """{"code":"y = 1","runtimeType":"Python","outputFileNames":[null]}""");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "'outputFileNames' holds file names; it may not hold null.");
        using var list = await client.GetAsync($"/services/{name}");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task Execute_InputParametersHoldingNull_Is400()
    {
        using var client = await factory.LoggedInClientAsync();
        var session = await SessionApi.CreateAsync(client, "Python");
        using var response = await PostJsonAsync(client, $"/sessions/{session}/execute", """{"code":"x = 1","inputParameters":[null]}""");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "neither may hold null");
        using var outputs = await PostJsonAsync(client, $"/sessions/{session}/execute", """{"code":"x = 1","outputParameters":[null]}""");
        await HttpAssert.ErrorAsync(outputs, HttpStatusCode.BadRequest, "neither may hold null");
    }

    [Fact]
    public async Task PutCompute_ScaleSettingsNotAnObject_Is400()
    {
        using var client = await factory.LoggedInClientAsync();
        var workspace = await ArmApi.CreateWorkspaceAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{workspace}/computes/cq?{ArmApi.ApiVersion}")
        {
            Content = new StringContent("""{"location":"westus2","properties":{"computeType":"AmlCompute","properties":{"scaleSettings":1}}}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error"); // ARM's envelope
        Assert.Contains("scaleSettings.maxNodeCount is required", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
