// The floor of any server that runs the model outside its own process, as Ferry must (user code never runs in
// the server): POST /api/{name}/{version} is routed, its body read and passed as it is, framed (a 4-byte length),
// over a Unix domain socket to one of WORKERS Python processes (bench/process_floor.py), which parse it, predict
// and answer in the consume shape; the answer's bytes are written back as they came. Calls are pipelined (a
// worker's next calls wait in its socket while it runs one) and go to the worker with the fewest in flight.
// No authentication, no sandbox, no JSON parsed in .NET, no workspace copy, no console capture: Ferry does all
// of these and more, so it cannot outrun this on the same cores.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var count = int.Parse(Environment.GetEnvironmentVariable("WORKERS") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
var script = Environment.GetEnvironmentVariable("FLOOR_SCRIPT") ?? throw new InvalidOperationException("FLOOR_SCRIPT names process_floor.py");
var path = Path.Combine(Path.GetTempPath(), $"process-floor-{Environment.ProcessId}.sock");
File.Delete(path);
using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
listener.Bind(new UnixDomainSocketEndPoint(path));
listener.Listen(count);
var workers = new FloorWorker[count];
for (var i = 0; i < count; i++)
{
    Process.Start("/usr/bin/python3", [script, path]);
    workers[i] = new FloorWorker(await listener.AcceptAsync());
}

File.Delete(path);

app.MapPost("/api/{name}/{version}", async context =>
{
    var length = (int)(context.Request.ContentLength ?? 0);
    var frame = new byte[4 + length];
    BinaryPrimitives.WriteInt32LittleEndian(frame, length);
    var read = 0;
    while (read < length)
    {
        var n = await context.Request.Body.ReadAsync(frame.AsMemory(4 + read), context.RequestAborted);
        if (n == 0)
        {
            break;
        }

        read += n;
    }

    var worker = workers[0];
    foreach (var candidate in workers)
    {
        if (candidate.InFlight < worker.InFlight)
        {
            worker = candidate;
        }
    }

    var answer = await worker.CallAsync(frame);
    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
});
await app.RunAsync();

/// <summary>One Python process's channel: frames written in order, answers taken in the same order.</summary>
internal sealed class FloorWorker
{
    private readonly Socket _socket;
    private readonly ConcurrentQueue<TaskCompletionSource<byte[]>> _pending = new();
    private readonly Lock _write = new();
    private int _inFlight;

    public FloorWorker(Socket socket)
    {
        _socket = socket;
        _ = ReadAsync();
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public Task<byte[]> CallAsync(byte[] frame)
    {
        var answer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _inFlight);
        lock (_write)
        {
            _pending.Enqueue(answer);
            _socket.Send(frame);
        }

        return answer.Task;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        while (true)
        {
            while (end - start >= 4)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start));
                if (end - start < 4 + length)
                {
                    break;
                }

                _pending.TryDequeue(out var answer);
                Interlocked.Decrement(ref _inFlight);
                answer!.SetResult(buffer.AsSpan(start + 4, length).ToArray());
                start += 4 + length;
            }

            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            var n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None);
            if (n == 0)
            {
                return;
            }

            end += n;
        }
    }
}
