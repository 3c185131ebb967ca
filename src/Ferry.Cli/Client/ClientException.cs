using System.Net;

namespace Ferry.Cli.Client;

/// <summary>A failure the client reports in one line (and the server's JSON error body, when there is one) before exiting 1.</summary>
internal sealed class ClientException(string message, string? body = null, HttpStatusCode? status = null) : Exception(message)
{
    /// <summary>The server's error body as it came, for <c>--output json</c>.</summary>
    public string? Body { get; } = body;

    /// <summary>The HTTP status of the server's refusal, when the server answered.</summary>
    public HttpStatusCode? Status { get; } = status;
}
