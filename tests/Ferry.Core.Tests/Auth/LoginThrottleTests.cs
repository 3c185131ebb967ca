using Ferry.Core.Auth;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Tests.Auth;

public sealed class LoginThrottleTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void RetryAfter_FiveFailuresInWindow_WaitsUntilOldestLeaves()
    {
        var clock = new Clock();
        var throttle = new LoginThrottle(Options.Create(new AuthOptions()), clock);
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(throttle.RetryAfter("bob"));
            throttle.RecordFailure("bob");
            clock.Now += TimeSpan.FromSeconds(10);
        }

        Assert.Equal(TimeSpan.FromSeconds(250), throttle.RetryAfter("BOB"));
        clock.Now += TimeSpan.FromSeconds(250);
        Assert.Null(throttle.RetryAfter("bob"));
    }

    [Fact]
    public void RecordSuccess_ClearsFailures()
    {
        var throttle = new LoginThrottle(Options.Create(new AuthOptions { MaxFailedLogins = 2 }), new Clock());
        throttle.RecordFailure("amy");
        throttle.RecordSuccess("amy");
        throttle.RecordFailure("amy");
        Assert.Null(throttle.RetryAfter("amy"));
    }
}
