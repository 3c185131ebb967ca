using System.Net;
using System.Text;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Errors;

public sealed class ErrorPipelineTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    [Fact]
    public async Task MalformedJson_Returns400NamingTheProblem()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/login", new StringContent("{\"username\": ", Encoding.UTF8, "application/json"));
        var body = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "not valid JSON");
        Assert.False(string.IsNullOrEmpty(body.GetProperty("correlationId").GetString()));
    }

    [Fact]
    public async Task EveryAnswer_AsksBrowsersNotToSniffItsType()
    {
        using var client = factory.CreateClient();
        foreach (var path in new[] { "/status", "/nowhere", "/ui/" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Fact]
    public async Task WrongContentType_Returns415()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/login", new StringContent("username=admin", Encoding.UTF8, "text/plain"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [Fact]
    public async Task OversizedBody_Returns413()
    {
        await using var small = new FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Server:MaxRequestBodyBytes"] = "1024" });
        using var client = small.CreateClient();
        var json = $"{{\"username\":\"admin\",\"password\":\"{new string('x', 2048)}\"}}";
        using var response = await client.PostAsync("/login", new StringContent(json, Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "larger than");
    }

    [Fact]
    public async Task UnknownRoute_Returns404Json()
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.GetAsync("/no/such/thing");
        await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, "/no/such/thing");
    }

    [Fact]
    public async Task WrongMethod_Returns405Json()
    {
        using var client = await factory.LoggedInClientAsync();
        using var response = await client.PutAsync("/status", new StringContent("{}", Encoding.UTF8, "application/json"));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, "PUT is not allowed");
    }

    [Fact]
    public async Task ErrorBody_EchoesCallersCorrelationId()
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", "abc-123");
        using var response = await client.GetAsync("/status");
        var body = await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "Bearer");
        Assert.Equal("abc-123", body.GetProperty("correlationId").GetString());
        Assert.Equal("abc-123", response.Headers.GetValues("X-Correlation-Id").Single());
    }
}
