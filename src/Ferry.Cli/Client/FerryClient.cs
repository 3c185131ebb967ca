using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Client;

/// <summary>
/// The REST client behind the CLI's verbs: the stored login's server and token, a renewal with the
/// refresh token when the access token has expired, and the server's own message for any failure.
/// </summary>
internal sealed class FerryClient : IDisposable
{
    private readonly HttpClient http;
    private Credentials credentials;

    private FerryClient(Credentials credentials)
    {
        this.credentials = credentials;
        http = Create(credentials.Server);
    }

    public static async Task<FerryClient> OpenAsync(CancellationToken cancellationToken) => new(await CredentialStore.LoadAsync(cancellationToken));

    /// <summary>POST /login; the tokens it answers with, or the server's refusal.</summary>
    public static async Task<Credentials> LoginAsync(string server, string userName, string password, CancellationToken cancellationToken)
    {
        using var http = Create(server);
        var grant = await SendAsync(http, HttpMethod.Post, "/login", JsonContent.Create(new { username = userName, password }), null, cancellationToken);
        return new Credentials(http.BaseAddress!.ToString().TrimEnd('/'), userName, Token(grant, "access_token"), grant?["refresh_token"]?.GetValue<string>());
    }

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>
    /// The bytes of a file past the offset, by a URL the server signed (Range: bytes=N-): only its path and
    /// query are sent, to the logged-in server, without the token. Empty when the file has nothing new (416).
    /// </summary>
    public async Task<byte[]> GetSignedBytesFromAsync(string url, long offset, CancellationToken cancellationToken)
    {
        var signed = new Uri(url, UriKind.Absolute);
        using var request = new HttpRequestMessage(HttpMethod.Get, signed.PathAndQuery);
        request.Headers.Range = new RangeHeaderValue(offset, null);
        using var response = await SendRawAsync(http, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return [];
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, Encoding.UTF8.GetString(bytes));
        }

        return response.StatusCode == HttpStatusCode.PartialContent ? bytes : bytes[(int)Math.Min(offset, bytes.Length)..];
    }

    public void Dispose() => http.Dispose();

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            return await SendAsync(http, method, path, Copy(body, content), credentials.AccessToken, cancellationToken);
        }
        catch (ClientException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            // An expired access token: renew once with the refresh token and send again, else say so.
            if (!await RenewAsync(cancellationToken))
            {
                throw new ClientException($"{ex.Message} Log in again with 'ferry login'.", ex.Body, ex.Status);
            }
        }

        return await SendAsync(http, method, path, Copy(body, content), credentials.AccessToken, cancellationToken);
    }

    private static ByteArrayContent? Copy(byte[]? body, HttpContent? original)
    {
        if (body is null)
        {
            return null;
        }

        var copy = new ByteArrayContent(body);
        copy.Headers.ContentType = original!.Headers.ContentType;
        return copy;
    }

    /// <summary>Trades the refresh token for new tokens (the server rotates it) and keeps them; false when there is none or it is refused.</summary>
    private async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(credentials.RefreshToken))
        {
            return false;
        }

        using var anonymous = Create(credentials.Server);
        try
        {
            var grant = await SendAsync(anonymous, HttpMethod.Post, "/login/refreshToken", JsonContent.Create(new { refreshToken = credentials.RefreshToken }), null, cancellationToken);
            credentials = credentials with { AccessToken = Token(grant, "access_token"), RefreshToken = grant?["refresh_token"]?.GetValue<string>() };
        }
        catch (ClientException)
        {
            return false;
        }

        await CredentialStore.SaveAsync(credentials, cancellationToken);
        return true;
    }

    private static async Task<JsonNode?> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content, string? accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var response = await SendRawAsync(http, request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, text);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static async Task<HttpResponseMessage> SendRawAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ClientException($"Cannot reach {http.BaseAddress}: {ex.Message}");
        }
    }

    /// <summary>The server's message from any of its error shapes: <c>{message}</c>, ARM's <c>{error:{message}}</c>.</summary>
    private static ClientException Failure(HttpResponseMessage response, string text)
    {
        string? message = null;
        try
        {
            var json = JsonNode.Parse(text);
            message = (json?["message"] ?? json?["error"]?["message"])?.GetValue<string>();
        }
        catch (JsonException)
        {
            // not JSON: the status says it
        }

        return new ClientException($"{(int)response.StatusCode} {response.ReasonPhrase}: {message ?? text}", text.Length > 0 ? text : null, response.StatusCode);
    }

    private static string Token(JsonNode? grant, string name) =>
        grant?[name]?.GetValue<string>() ?? throw new ClientException($"The server's answer has no '{name}'.");

    private static HttpClient Create(string server)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ClientException($"'{server}' is not a server URL: give one such as http://127.0.0.1:12800.");
        }

        return new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(10) };
    }
}
