using Ferry.Core.Diagnostics;

namespace Ferry.Core.Tests.Diagnostics;

public sealed class LatencyBucketsTests
{
    [Fact]
    public void IndexOf_EveryValue_FallsInsideItsBucketWhichIsAtMostAQuarterWide()
    {
        for (long micros = 0; micros < 1 << 20; micros += 1 + (micros / 64))
        {
            var index = LatencyBuckets.IndexOf(TimeSpan.FromMicroseconds(micros));
            var lower = LatencyBuckets.LowerMicroseconds(index);
            var upper = LatencyBuckets.LowerMicroseconds(index + 1);
            Assert.InRange(micros, lower, upper - 1);
            Assert.True(micros < 4 || upper - lower <= lower / 4, $"{micros} µs: bucket [{lower}, {upper})");
        }
    }

    [Fact]
    public void IndexOf_BeyondTheScale_IsTheLastBucket()
    {
        Assert.Equal(LatencyBuckets.Count - 1, LatencyBuckets.IndexOf(TimeSpan.FromHours(2)));
        Assert.Equal(0, LatencyBuckets.IndexOf(TimeSpan.FromTicks(-5)));
    }
}
