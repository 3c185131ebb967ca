using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ferry.Core.Changes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.WebServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Batches;

/// <summary>
/// Runs batches on the service's batch workers (<see cref="IServiceRunner.RunManyAsync"/>: apart from
/// its single calls, which never wait for a chunk): at most the batch's parallelCount lanes at once,
/// each running chunks of records one behind the other on one worker, chunks sized to take about
/// <see cref="ChunkTime"/> (a chunk's round trip through the server is then a small share of its time).
/// Results are stored as they come, many per transaction
/// (whatever finished while the last write ran), so a record whose result is stored never runs again;
/// at start-up every unfinished batch goes on with the records that have none.
/// </summary>
public sealed partial class BatchRunner(
    IBatchStore store, WebServiceCatalog catalog, WebServiceConsumer consumer, FerryMetrics metrics, IOptions<BatchOptions> options, TimeProvider time, ILogger<BatchRunner> logger)
    : IChangeSubscriber
{
    private const int MaxResultsPerWrite = 1000;
    private const int MaxChunk = 256;

    /// <summary>
    /// How long a chunk of records should hold its worker: long against a chunk's round trip, short
    /// enough that results are stored (and a patched definition picked up) as the batch goes.
    /// </summary>
    private static readonly TimeSpan ChunkTime = TimeSpan.FromMilliseconds(25);

    private readonly Channel<string> queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, Running> running = new();

    /// <summary>A stored batch to run.</summary>
    public void Enqueue(string id) => queue.Writer.TryWrite(id);

    /// <summary>Resumes the unfinished batches, then runs each one enqueued, until <paramref name="stoppingToken"/>.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        foreach (var batch in await store.ClaimUnfinishedAsync(stoppingToken))
        {
            LogResuming(logger, batch.Id, batch.Name, batch.Version, batch.TotalItemCount - batch.CompletedItemCount);
            Start(batch.Id, stoppingToken);
        }

        try
        {
            await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
            {
                Start(id, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: the batches' own tasks end with the same token
        }

        await Task.WhenAll(running.Values.Select(r => r.Task));
    }

    /// <summary>Stops a running batch and waits until none of its records runs any more (its stored results stay until deleted).</summary>
    public async Task CancelAsync(string id)
    {
        if (running.TryGetValue(id, out var batch))
        {
            try
            {
                await batch.Cancellation.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // it ended just now
            }

            await batch.Task;
        }
    }

    string IChangeSubscriber.Topic => ChangeTopics.BatchCancel;

    /// <summary>Another node was asked to cancel the batch: stop it if it runs here.</summary>
    Task IChangeSubscriber.ApplyAsync(string key, CancellationToken cancellationToken) => CancelAsync(key);

    /// <summary>A cancel missed while disconnected finds the batch deleted: its records stop writing results there.</summary>
    Task IChangeSubscriber.ResyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Start(string id, CancellationToken stoppingToken)
    {
        lock (running)
        {
            if (running.ContainsKey(id))
            {
                return; // enqueued twice
            }

            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            running[id] = new Running(cancellation, Task.Run(
                async () =>
                {
                    await started.Task;
                    try
                    {
                        await RunBatchAsync(id, cancellation.Token);
                    }
                    finally
                    {
                        running.TryRemove(id, out _);
                        cancellation.Dispose();
                    }
                },
                CancellationToken.None));
            started.SetResult(); // only once it is in the table, which its end takes it out of
        }
    }

    private async Task RunBatchAsync(string id, CancellationToken cancellationToken)
    {
        var batch = await store.GetAsync(id, cancellationToken);
        if (batch is null || batch.State is BatchState.Complete or BatchState.Failed)
        {
            return; // deleted before it started
        }

        var records = await store.PendingRecordsAsync(id, cancellationToken);
        await store.SetStateAsync(id, BatchState.InProgress, null, cancellationToken);
        var results = Channel.CreateUnbounded<BatchResult>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteResultsAsync(id, metrics.For(batch.Name, batch.Version), results.Reader);
        var next = 0; // records taken by the lanes
        try
        {
            var parallel = Math.Min(Math.Clamp(batch.ParallelCount, 1, options.Value.MaxParallelCount), records.Count);
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(
                async () =>
                {
                    var best = TimeSpan.MaxValue; // the shortest time per record seen
                    for (var size = 1; ;)
                    {
                        var taken = Interlocked.Add(ref next, size);
                        var start = taken - size;
                        if (start >= records.Count)
                        {
                            return;
                        }

                        var end = Math.Min(taken, records.Count);
                        var started = time.GetTimestamp();
                        var chunk = records.Skip(start).Take(end - start).ToList();
                        foreach (var (record, result) in chunk.Zip(await RunRecordsAsync(batch, chunk, cancellationToken)))
                        {
                            results.Writer.TryWrite(new BatchResult(record.Index, result.ToJsonString()));
                        }

                        // Sized by the quickest a record has gone so far: a chunk's time includes its wait
                        // for a worker behind other lanes' chunks, which is not its own.
                        var took = time.GetElapsedTime(started);
                        // Slow records (each past ChunkTime) count at once, so the next chunk is one record.
                        var perRecord = took / chunk.Count;
                        best = perRecord > ChunkTime || perRecord < best ? perRecord : best;
                        size = best <= TimeSpan.Zero ? MaxChunk : (int)Math.Clamp(ChunkTime / best, 1, MaxChunk);
                    }
                },
                cancellationToken)));
            results.Writer.Complete();
            await writer;
            await store.SetStateAsync(id, BatchState.Complete, null, CancellationToken.None);
            LogComplete(logger, id, batch.TotalItemCount);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ServiceGoneException)
        {
            // Cancelled, deleted with its service, or the server stops: what finished is stored, the rest runs after a restart.
            results.Writer.TryComplete();
            await writer;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            results.Writer.TryComplete();
            await writer; // what finished is stored before the batch is marked failed
            LogFailed(logger, ex, id);
            await store.SetStateAsync(id, BatchState.Failed, $"The batch stopped: {ex.Message}", CancellationToken.None);
        }
    }

    /// <summary>
    /// Runs records as consume calls against the version as it is now: their inputs checked again
    /// (checked when the batch started; a patch may have changed them), a busy server waited out
    /// (unlike an interactive caller), a deleted service ending the batch. A record left without a
    /// result (its worker died under the chunk, or the chunk ran out of time or room) runs again alone;
    /// alone, no result is its own failure, so nothing runs a third time.
    /// </summary>
    private async Task<IReadOnlyList<JsonObject>> RunRecordsAsync(BatchExecution batch, List<BatchRecord> records, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!catalog.TryGet(batch.Name, batch.Version, out var service) || service.CreationTime > batch.CreatedAt)
            {
                throw new ServiceGoneException(); // deleted (and perhaps published again): its batches went with it
            }

            var answers = new JsonObject?[records.Count];
            var calls = new List<ServiceCall>(records.Count);
            var callers = new List<int>(records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                try
                {
                    calls.Add(WebServiceConsumer.CallFor(service, JsonNode.Parse(records[i].Input)));
                    callers.Add(i);
                }
                catch (FerryException invalid) when (invalid.Kind == FerryErrorKind.BadRequest)
                {
                    answers[i] = ToJson(ExecutionResult.Failed(invalid.Message));
                }
            }

            IReadOnlyList<ExecutionResult?> results;
            try
            {
                results = calls.Count == 0 ? [] : await consumer.RunManyAsync(service, calls, cancellationToken);

                // Calls cut short by a stop or a cancel answer "interrupted": not the records' results, they run again after a restart.
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (FerryException busy) when (busy.Kind == FerryErrorKind.Unavailable)
            {
                await Task.Delay(busy.RetryAfter ?? TimeSpan.FromSeconds(1), time, cancellationToken);
                continue;
            }
            catch (FerryException gone) when (gone.Kind == FerryErrorKind.NotFound)
            {
                throw new ServiceGoneException();
            }

            for (var j = 0; j < callers.Count; j++)
            {
                answers[callers[j]] = results[j] is { } result ? ToJson(result)
                    : records.Count > 1 ? (await RunRecordsAsync(batch, [records[callers[j]]], cancellationToken))[0]
                    : ToJson(ExecutionResult.Failed("The record's execution ended without an answer (its worker could not send one); it was not run again."));
            }

            return [.. answers.Select(a => a!)];
        }
    }

    /// <summary>Writes results as they come: one transaction for all that finished while the previous one was written; each stored one is counted.</summary>
    private async Task WriteResultsAsync(string id, ServiceCallMeter meter, ChannelReader<BatchResult> results)
    {
        var buffer = new List<BatchResult>();
        while (await results.WaitToReadAsync(CancellationToken.None))
        {
            while (buffer.Count < MaxResultsPerWrite && results.TryRead(out var result))
            {
                buffer.Add(result);
            }

            await store.SaveResultsAsync(id, buffer, CancellationToken.None);
            meter.RecordBatchRecords(buffer.Count);
            buffer.Clear();
        }
    }

    /// <summary>The consume response's shape, so that a batch result reads as a single call's.</summary>
    public static JsonObject ToJson(ExecutionResult result)
    {
        result = result.Sendable();
        return new JsonObject
        {
            ["success"] = result.Success,
            ["errorMessage"] = result.ErrorMessage,
            ["consoleOutput"] = result.ConsoleOutput,
            ["changedFiles"] = new JsonArray([.. result.ChangedFiles.Select(f => (JsonNode?)f)]),
            ["outputParameters"] = new JsonObject(result.OutputParameters.Select(o => KeyValuePair.Create(o.Name, o.Value?.DeepClone()))),
            ["outputFiles"] = new JsonObject(result.OutputFiles.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))),
        };
    }

    private sealed record Running(CancellationTokenSource Cancellation, Task Task);

    private sealed class ServiceGoneException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming batch {BatchId} of {Name} {Version}: {Remaining} records left")]
    private static partial void LogResuming(ILogger logger, string batchId, string name, string version, int remaining);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {BatchId} complete: {Count} records")]
    private static partial void LogComplete(ILogger logger, string batchId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch {BatchId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string batchId);
}
