using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Ferry.Core.Execution;

namespace Ferry.Execution.Realtime;

/// <summary>
/// Coalesces concurrent calls of one model into single runs. A call that finds no run in progress
/// runs at once on its own thread (no hop, no added latency when calls come one at a time); calls
/// that arrive meanwhile queue, and the next run takes them together, up to MaxBatchSize. When its
/// own answer is in and calls still wait, a caller hands the draining to the thread pool and returns.
/// A non-zero MaxWait lets a run that already has company wait that long for more to arrive.
/// </summary>
internal sealed class AdaptiveBatcher(OnnxModel model, RealtimeBatching batching)
{
    private readonly ConcurrentQueue<Pending> queue = new();
    private int draining; // 1 while one thread runs batches

    public RealtimeBatching Batching => batching;

    public Task<Scored> ScoreAsync(BoundCall call)
    {
        var pending = new Pending(call, Stopwatch.GetTimestamp());
        queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref draining, 1, 0) == 0)
        {
            Drain(pending);
        }

        return pending.Task;
    }

    private void Drain(Pending? mine)
    {
        var batch = new List<Pending>(batching.MaxBatchSize);
        while (true)
        {
            Take(batch);
            if (batch.Count > 0)
            {
                Run(batch);
                batch.Clear();
            }

            if (!queue.IsEmpty && mine is { Task.IsCompleted: true })
            {
                ThreadPool.UnsafeQueueUserWorkItem(static self => self.Drain(null), this, preferLocal: false); // the rest drains elsewhere; this caller answers now
                return;
            }

            if (queue.IsEmpty)
            {
                Volatile.Write(ref draining, 0);
                if (queue.IsEmpty || Interlocked.CompareExchange(ref draining, 1, 0) != 0)
                {
                    return; // a call enqueued after the check found the flag free and drains itself
                }
            }
        }
    }

    private void Take(List<Pending> batch)
    {
        var deadline = 0L;
        var strings = 0L;
        while (batch.Count < batching.MaxBatchSize)
        {
            // A call joins when it has the batch's shape and the run's strings stay within what one run may make.
            if (queue.TryPeek(out var next) && (batch.Count == 0 || (OnnxModel.SameShape(batch[0].Call, next.Call) && strings + model.StringBytes(next.Call) <= model.MaxStringBytes)))
            {
                if (queue.TryDequeue(out next))
                {
                    batch.Add(next);
                    strings += model.StringBytes(next.Call);
                }

                continue;
            }

            // Only a batch that already has company waits for more: a lone call never waits.
            if (batching.MaxWait <= TimeSpan.Zero || batch.Count < 2 || !queue.IsEmpty)
            {
                return;
            }

            deadline = deadline == 0 ? Stopwatch.GetTimestamp() + (long)(batching.MaxWait.TotalSeconds * Stopwatch.Frequency) : deadline;
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return;
            }

            Thread.Yield();
        }
    }

    private void Run(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        JsonObject[] answers;
        try
        {
            answers = model.Score(batch.ConvertAll(p => p.Call));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var pending in batch)
            {
                pending.TrySetException(e);
            }

            return;
        }

        var run = Stopwatch.GetElapsedTime(started);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].TrySetResult(new Scored(answers[i], Stopwatch.GetElapsedTime(batch[i].Enqueued, started), run, batch.Count));
        }
    }

    private sealed class Pending(BoundCall call, long enqueued) : TaskCompletionSource<Scored>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public BoundCall Call { get; } = call;

        public long Enqueued { get; } = enqueued;
    }
}

/// <summary>One call's answer, how long it waited for its batch, how long the batch ran, and how many calls it held.</summary>
internal sealed record Scored(JsonObject Output, TimeSpan Queue, TimeSpan Run, int BatchSize);
