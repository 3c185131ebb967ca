using System.Buffers;
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
    /// <summary>
    /// Larger frames mean a broken or hostile worker, not a big result (the worker caps its replies at 144 MiB).
    /// Below System.Text.Json's largest single value (166,666,666 bytes), so whatever a reply holds can be
    /// written back to a client: one string of 170 MB in a reply made the answer's JSON throw (a 500).
    /// </summary>
    public const int MaxFrameBytes = 150 * 1024 * 1024;

    /// <summary>
    /// A body is read into pieces of this size as its bytes arrive, never into one buffer of the length
    /// announced: user code can write a header to the channel, and a header costs it nothing.
    /// </summary>
    public const int PieceBytes = 1024 * 1024;

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
    public static async Task<WorkerReply?> ReadAsync(Stream stream, CancellationToken cancellationToken) =>
        await ReadLengthAsync(stream, cancellationToken) is { } length ? await ReadBodyAsync(stream, length, cancellationToken) : null;

    /// <summary>The next frame's header: its body's length, or null when the worker closed its end; a length past <see cref="MaxFrameBytes"/> throws <see cref="InvalidDataException"/>.</summary>
    public static async Task<int?> ReadLengthAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        return length is < 0 or > MaxFrameBytes
            ? throw new InvalidDataException($"The worker sent a frame of {length} bytes.")
            : length;
    }

    /// <summary>
    /// The body of a frame whose header announced <paramref name="length"/> bytes, as a message; null when the
    /// worker closed its end first. It is held in pooled pieces as it arrives, so a header announcing more than
    /// follows costs what followed; the caller keeps the deadline for the rest.
    /// </summary>
    public static async Task<WorkerReply?> ReadBodyAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        var pieces = new List<byte[]>();
        try
        {
            for (var left = length; left > 0; left -= PieceBytes)
            {
                var size = Math.Min(left, PieceBytes);
                var piece = ArrayPool<byte>.Shared.Rent(size);
                pieces.Add(piece);
                if (!await ReadExactlyOrEndAsync(stream, piece.AsMemory(0, size), cancellationToken))
                {
                    return null;
                }
            }

            return Parse(Sequence(pieces, length));
        }
        finally
        {
            foreach (var piece in pieces)
            {
                ArrayPool<byte>.Shared.Return(piece); // the message copied what it keeps
            }
        }
    }

    private static WorkerReply Parse(ReadOnlySequence<byte> body)
    {
        var options = WorkerJsonContext.Default.Options;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.ReadCommentHandling,
            MaxDepth = options.MaxDepth,
        });
        try
        {
            var reply = JsonSerializer.Deserialize(ref reader, WorkerJsonContext.Default.WorkerReply)
                ?? throw new InvalidDataException("The worker sent a frame that is not a JSON object.");
            if (reader.Read())
            {
                throw new InvalidDataException("The worker sent a frame with more than one JSON value.");
            }

            return reply;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The worker sent a frame that is not a message: {ex.Message}", ex);
        }
    }

    /// <summary>The first <paramref name="length"/> bytes of the pieces, in order, as one sequence.</summary>
    private static ReadOnlySequence<byte> Sequence(List<byte[]> pieces, int length)
    {
        if (pieces.Count <= 1)
        {
            return pieces.Count == 0 ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(pieces[0], 0, length);
        }

        var first = new Segment(pieces[0].AsMemory(0, PieceBytes), 0);
        var last = first;
        for (var i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i].AsMemory(0, Math.Min(length - (i * PieceBytes), PieceBytes)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
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

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
