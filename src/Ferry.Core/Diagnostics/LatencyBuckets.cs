using System.Numerics;

namespace Ferry.Core.Diagnostics;

/// <summary>
/// A log-linear latency scale in microseconds, as HdrHistogram lays it out: every power of two split
/// into four equal buckets (a value's bucket is within 25% of it, 12.5% from its middle), from 1 µs to
/// 2^28 µs (about 4.5 minutes; longer calls share the last bucket). A bucket index costs one bit scan.
/// </summary>
public static class LatencyBuckets
{
    private const int SubBuckets = 4;
    private const int MaxOctave = 28;

    /// <summary>How many buckets the scale has.</summary>
    public const int Count = (MaxOctave - 1) * SubBuckets + SubBuckets;

    public static int IndexOf(TimeSpan elapsed)
    {
        var micros = (ulong)Math.Max(0, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        if (micros < SubBuckets)
        {
            return (int)micros;
        }

        var octave = BitOperations.Log2(micros); // at least 2
        var index = ((octave - 1) * SubBuckets) + (int)((micros >> (octave - 2)) & (SubBuckets - 1));
        return Math.Min(index, Count - 1);
    }

    /// <summary>The smallest value, in microseconds, of bucket <paramref name="index"/>.</summary>
    public static double LowerMicroseconds(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var octave = (index / SubBuckets) + 1;
        return (double)((ulong)(SubBuckets + (index % SubBuckets)) << (octave - 2));
    }

    /// <summary>
    /// The <paramref name="quantile"/> of the values counted in <paramref name="counts"/>, in milliseconds:
    /// the bucket holding that rank, interpolated linearly inside it (a lone value reads as its bucket's middle).
    /// </summary>
    public static double QuantileMilliseconds(ReadOnlySpan<int> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }

        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                var lower = LowerMicroseconds(i);
                var upper = LowerMicroseconds(i + 1);
                var micros = lower + ((upper - lower) * (rank - below - 0.5) / counts[i]);
                return Math.Round(micros / 1000, 3);
            }

            below += counts[i];
        }

        return Math.Round(LowerMicroseconds(counts.Length) / 1000, 3);
    }
}
