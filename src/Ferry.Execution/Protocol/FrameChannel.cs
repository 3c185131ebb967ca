using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Execution.Protocol;

/// <summary>
/// The worker protocol's framing: a 4-byte little-endian length, then that many bytes of UTF-8 JSON.
/// </summary>
public static class FrameChannel
{
    /// <summary>Larger frames mean a broken or hostile worker, not a big result (the worker caps its replies at 192 MiB).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    /// <summary>A message as one frame, its length first.</summary>
    public static byte[] Encode(JsonObject message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    public static async Task WriteAsync(Stream stream, JsonObject message, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encode(message), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next message, or null when the worker closed its end.</summary>
    public static async Task<JsonObject?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"The worker sent a frame of {length} bytes.");
        }

        var body = new byte[length];
        if (!await ReadExactlyOrEndAsync(stream, body, cancellationToken))
        {
            return null;
        }

        return JsonNode.Parse(body) as JsonObject ?? throw new InvalidDataException("The worker sent a frame that is not a JSON object.");
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
