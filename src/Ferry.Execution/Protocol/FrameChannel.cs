using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ferry.Execution.Protocol;

/// <summary>
/// The worker protocol's framing: a 4-byte little-endian length, then that many bytes of UTF-8 JSON
/// (docs/worker-protocol.md).
/// </summary>
internal static class FrameChannel
{
    /// <summary>Larger frames mean a broken or hostile worker, not a big result (the worker caps its replies at 192 MiB).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    /// <summary>A message as one frame, its length first.</summary>
    public static byte[] Encode<T>(T message, JsonTypeInfo<T> type)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, type);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    public static byte[] Encode(WorkerMessage message) => Encode(message, WorkerJsonContext.Default.WorkerMessage);

    public static byte[] Encode(ExecuteMessage message) => Encode(message, WorkerJsonContext.Default.ExecuteMessage);

    public static byte[] Encode(ExecuteManyMessage message) => Encode(message, WorkerJsonContext.Default.ExecuteManyMessage);

    /// <summary>The next frame, or null when the worker closed its end; a frame that is not a message throws <see cref="InvalidDataException"/>.</summary>
    public static async Task<WorkerReply?> ReadAsync(Stream stream, CancellationToken cancellationToken)
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

        try
        {
            return JsonSerializer.Deserialize(body, WorkerJsonContext.Default.WorkerReply)
                ?? throw new InvalidDataException("The worker sent a frame that is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The worker sent a frame that is not a message: {ex.Message}", ex);
        }
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
