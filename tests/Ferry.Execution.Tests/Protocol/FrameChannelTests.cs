using System.Buffers.Binary;
using System.Text;
using Ferry.Execution.Protocol;

namespace Ferry.Execution.Tests.Protocol;

public sealed class FrameChannelTests
{
    [Fact]
    public async Task ReadAsync_HeaderAnnouncingMoreThanFollows_NeverAsksForTheAnnouncedLength()
    {
        // User code writes a header for 140 MiB, 3 MiB of body, then nothing: the reader holds what came, not 140 MiB.
        var stream = new TricklingStream([.. Header(140 * 1024 * 1024), .. new byte[3 * 1024 * 1024]], readSize: 64 * 1024, endWhenDrained: false);
        using var cancel = new CancellationTokenSource();
        var read = FrameChannel.ReadAsync(stream, cancel.Token);
        await stream.Drained.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync(); // what the worker's deadline does, by killing the worker
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.InRange(stream.LargestBufferAskedFor, 1, FrameChannel.PieceBytes);
    }

    [Theory]
    [InlineData(10, 3)] // a small frame in tiny reads
    [InlineData(3 * 1024 * 1024 + 17, 65537)] // several pieces, reads not aligned to them
    [InlineData(FrameChannel.PieceBytes - 40, 1 << 20)] // a body that ends exactly at a piece's end
    public async Task ReadAsync_BodyInPieces_IsTheWholeMessage(int textLength, int readSize)
    {
        var text = string.Concat(Enumerable.Range(0, textLength).Select(i => (char)('a' + (i % 26))));
        var body = Encoding.UTF8.GetBytes($"{{\"success\":true,\"consoleOutput\":\"{text}\"}}");
        var stream = new TricklingStream([.. Header(body.Length), .. body, .. Header(body.Length), .. body], readSize, endWhenDrained: true);

        for (var i = 0; i < 2; i++)
        {
            var reply = await FrameChannel.ReadAsync(stream, CancellationToken.None);
            Assert.True(reply!.Success);
            Assert.Equal(text, reply.ConsoleOutput);
        }

        Assert.Null(await FrameChannel.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_EndInTheMiddleOfABody_IsTheChannelsEnd()
    {
        var stream = new TricklingStream([.. Header(2 * FrameChannel.PieceBytes), .. new byte[FrameChannel.PieceBytes + 5]], 4096, endWhenDrained: true);
        Assert.Null(await FrameChannel.ReadAsync(stream, CancellationToken.None));
    }

    [Theory]
    [InlineData(FrameChannel.MaxFrameBytes + 1)]
    [InlineData(-1)]
    public async Task ReadAsync_LengthOutOfRange_IsInvalidData(int length)
    {
        var stream = new TricklingStream(Header(length), 4, endWhenDrained: true);
        await Assert.ThrowsAsync<InvalidDataException>(() => FrameChannel.ReadAsync(stream, CancellationToken.None));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"success\":true} {}")]
    [InlineData("{\"success\":")]
    public async Task ReadAsync_BodyNotOneMessage_IsInvalidData(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var stream = new TricklingStream([.. Header(body.Length), .. body], 1024, endWhenDrained: true);
        await Assert.ThrowsAsync<InvalidDataException>(() => FrameChannel.ReadAsync(stream, CancellationToken.None));
    }

    private static byte[] Header(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        return header;
    }

    /// <summary>
    /// Gives its bytes at most <c>readSize</c> a read, then ends or waits for good (a worker gone silent);
    /// remembers the largest buffer a read asked it to fill.
    /// </summary>
    private sealed class TricklingStream(byte[] data, int readSize, bool endWhenDrained) : Stream
    {
        private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int position;

        public int LargestBufferAskedFor { get; private set; }

        public Task Drained => drained.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestBufferAskedFor = Math.Max(LargestBufferAskedFor, buffer.Length);
            if (position == data.Length)
            {
                drained.TrySetResult();
                if (!endWhenDrained)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                return 0;
            }

            var count = Math.Min(Math.Min(readSize, buffer.Length), data.Length - position);
            data.AsSpan(position, count).CopyTo(buffer.Span);
            position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
