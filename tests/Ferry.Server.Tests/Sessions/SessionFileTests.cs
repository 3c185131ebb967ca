using System.Net;
using System.Net.Http.Headers;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Sessions;

/// <summary>Working-directory files through the public API.</summary>
public sealed class SessionFileTests(SessionFileTests.SmallUploadsFactory factory) : IClassFixture<SessionFileTests.SmallUploadsFactory>, IAsyncLifetime
{
    private HttpClient client = null!;
    private string id = "";

    public async Task InitializeAsync()
    {
        client = await factory.LoggedInClientAsync();
        id = await SessionApi.CreateAsync(client);
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Code.Runtimes), MemberType = typeof(Code))]
    public async Task UploadListDownloadDelete_RoundTrips_AndCodeSeesTheFile(string runtime)
    {
        var id = await SessionApi.CreateAsync(client, runtime);
        using (var upload = await UploadAsync(id, "data.csv", "a,b\n1,2\n"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }

        var read = await SessionApi.RunAsync(client, id, Code.Of(runtime,
            python: "text = open('data.csv').read()\nopen('out.txt', 'w').write('x')",
            r: "text <- readChar('data.csv', file.size('data.csv'), useBytes = TRUE)\ncat('x', file = 'out.txt')"), "text");
        Assert.Equal("a,b\n1,2\n", read["text"].GetString());

        using (var list = await client.GetAsync($"/sessions/{id}/files"))
        {
            var names = (await HttpAssert.OkJsonAsync(list)).EnumerateArray().Select(n => n.GetString()!).ToArray();
            Assert.Equal(["data.csv", "out.txt"], names);
        }

        using (var download = await client.GetAsync($"/sessions/{id}/files/out.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("x", await download.Content.ReadAsStringAsync());
        }

        using (var replaced = await UploadAsync(id, "data.csv", "new"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Created, replaced.StatusCode);
        }

        using (var again = await client.GetAsync($"/sessions/{id}/files/data.csv"))
        {
            Assert.Equal("new", await again.Content.ReadAsStringAsync());
        }

        using (var deleted = await client.DeleteAsync($"/sessions/{id}/files/data.csv"))
        {
            await HttpAssert.OkJsonAsync(deleted);
        }

        using var missing = await client.GetAsync($"/sessions/{id}/files/data.csv");
        await HttpAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "no file 'data.csv'");
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("..")]
    [InlineData("sub/file.txt")]
    public async Task Upload_TraversalName_Returns400AndWritesNothing(string name)
    {
        using var response = await UploadAsync(name, "evil"u8.ToArray());
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "not a valid file name");
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "sessions", "escape.txt")));
        using var list = await client.GetAsync($"/sessions/{id}/files");
        Assert.Equal(0, (await HttpAssert.OkJsonAsync(list)).GetArrayLength());
    }

    [Fact]
    public async Task GetAndDelete_EscapedTraversal_Return400()
    {
        File.WriteAllText(Path.Combine(factory.DataDirectory, "secret.txt"), "secret");
        using var get = await client.GetAsync($"/sessions/{id}/files/..%2F..%2Fsecret.txt");
        await HttpAssert.ErrorAsync(get, HttpStatusCode.BadRequest, "not a valid file name");
        using var delete = await client.DeleteAsync($"/sessions/{id}/files/..%2F..%2Fsecret.txt");
        await HttpAssert.ErrorAsync(delete, HttpStatusCode.BadRequest, "not a valid file name");
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "secret.txt")));
    }

    [Fact]
    public async Task Upload_OverTheLimit_Returns413AndKeepsTheOldFile()
    {
        using (var small = await UploadAsync("big.bin", new byte[10]))
        {
            Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        }

        using var response = await UploadAsync("big.bin", new byte[5000]);
        await HttpAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "larger than the limit of 1000 bytes");
        using var kept = await client.GetAsync($"/sessions/{id}/files/big.bin");
        Assert.Equal(10, (await kept.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns400()
    {
        using var response = await client.PostAsync($"/sessions/{id}/files", new ByteArrayContent([1, 2, 3]));
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "multipart/form-data");
    }

    private Task<HttpResponseMessage> UploadAsync(string fileName, byte[] content) => UploadAsync(id, fileName, content);

    private async Task<HttpResponseMessage> UploadAsync(string session, string fileName, byte[] content)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(part, "file", fileName);
        return await client.PostAsync($"/sessions/{session}/files", form);
    }

    /// <summary>A server whose upload limit is small enough to cross in a test.</summary>
    public sealed class SmallUploadsFactory() : FerryFactory(TestDirectory.Create(), new Dictionary<string, string?> { ["Ferry:Sessions:MaxUploadBytes"] = "1000" });
}
