namespace Ferry.Core.Diagnostics;

/// <summary>
/// The last <see cref="Length"/> of one service version's calls in <see cref="Interval"/> slots: counts by
/// outcome and a <see cref="LatencyBuckets"/> histogram per slot, so percentiles come from bounded memory
/// (at most 180 slots of 112 counters, about 90 KB for a version called in every interval; slots are made on
/// first use and reused when their turn comes round again). Recording takes no lock but when a slot turns over.
/// </summary>
public sealed class ServiceCallWindow(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Length = TimeSpan.FromMinutes(30);

    private static readonly int SlotCount = (int)(Length / Interval);

    private readonly Slot?[] slots = new Slot?[SlotCount];

    public void Record(ServiceOutcome outcome, TimeSpan elapsed)
    {
        var epoch = time.GetUtcNow().UtcTicks / Interval.Ticks;
        var slot = Volatile.Read(ref slots[epoch % SlotCount]);
        if (slot is null || Volatile.Read(ref slot.Epoch) != epoch)
        {
            slot = TurnOver(epoch);
            if (slot is null)
            {
                return; // a clock read before the slot moved on, 30 minutes ago: nothing to add it to
            }
        }

        Interlocked.Increment(ref slot.Calls);
        if (outcome == ServiceOutcome.Failure)
        {
            Interlocked.Increment(ref slot.Failures);
        }
        else if (outcome == ServiceOutcome.Error)
        {
            Interlocked.Increment(ref slot.Errors);
        }

        Interlocked.Increment(ref slot.Latency[LatencyBuckets.IndexOf(elapsed)]);
    }

    /// <summary>The intervals of the last 30 minutes that had calls, oldest first.</summary>
    public IReadOnlyList<ServiceCallPoint> Points()
    {
        var now = time.GetUtcNow().UtcTicks / Interval.Ticks;
        var points = new List<ServiceCallPoint>();
        for (var epoch = now - SlotCount + 1; epoch <= now; epoch++)
        {
            if (Volatile.Read(ref slots[epoch % SlotCount]) is { } slot && Volatile.Read(ref slot.Epoch) == epoch && slot.Calls > 0)
            {
                // Read while calls may still land in the newest slot: each number is a moment's, close enough for a chart.
                points.Add(new ServiceCallPoint(
                    new DateTimeOffset(epoch * Interval.Ticks, TimeSpan.Zero),
                    slot.Calls,
                    slot.Failures,
                    slot.Errors,
                    LatencyBuckets.QuantileMilliseconds(slot.Latency, 0.50),
                    LatencyBuckets.QuantileMilliseconds(slot.Latency, 0.99)));
            }
        }

        return points;
    }

    /// <summary>The slot for <paramref name="epoch"/>, emptied first if it held an older interval; null if it holds a newer one.</summary>
    private Slot? TurnOver(long epoch)
    {
        lock (slots)
        {
            ref var entry = ref slots[epoch % SlotCount];
            var slot = entry ?? new Slot();
            if (slot.Epoch > epoch)
            {
                return null;
            }

            if (slot.Epoch < epoch)
            {
                // Emptied before the new epoch is published: a recorder that sees it finds zeroed counts.
                slot.Calls = slot.Failures = slot.Errors = 0;
                Array.Clear(slot.Latency);
                Volatile.Write(ref slot.Epoch, epoch);
            }

            Volatile.Write(ref entry, slot);
            return slot;
        }
    }

    private sealed class Slot
    {
        public readonly int[] Latency = new int[LatencyBuckets.Count];
        public long Epoch = long.MinValue;
        public int Calls;
        public int Failures;
        public int Errors;
    }
}
