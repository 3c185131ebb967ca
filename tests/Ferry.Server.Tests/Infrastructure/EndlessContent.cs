using System.Net;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// A request body that never ends (sent chunked, of no declared length): a server that reads it all
/// before answering never answers, so a test that gets an answer shows the body was refused unread or cut off at a limit.
/// </summary>
internal sealed class EndlessContent : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        while (true)
        {
            await stream.WriteAsync(chunk, cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
