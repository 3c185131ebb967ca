using System.Net;
using Ferry.Core.Auth;
using Ferry.Core.Errors;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Tests.Auth;

public sealed class LoginThrottleTests
{
    private const string Attacker = "203.0.113.7";
    private const string Office = "198.51.100.20";

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
            Assert.Null(throttle.RetryAfter("bob", Attacker));
            throttle.RecordFailure("bob", Attacker);
            clock.Now += TimeSpan.FromSeconds(10);
        }

        Assert.Equal(TimeSpan.FromSeconds(250), throttle.RetryAfter("BOB", Attacker));
        clock.Now += TimeSpan.FromSeconds(250);
        Assert.Null(throttle.RetryAfter("bob", Attacker));
    }

    [Fact]
    public void RetryAfter_NameLockedFromOneAddress_IsFreeFromAnother()
    {
        var throttle = new LoginThrottle(Options.Create(new AuthOptions()), new Clock());
        for (var i = 0; i < 10; i++)
        {
            throttle.RecordFailure("admin", Attacker);
        }

        Assert.NotNull(throttle.RetryAfter("admin", Attacker));
        Assert.Null(throttle.RetryAfter("admin", Office));
    }

    [Fact]
    public void RetryAfter_OneAddressSprayingNames_IsLockedForEveryName()
    {
        var throttle = new LoginThrottle(Options.Create(new AuthOptions { MaxFailedLoginsPerAddress = 10 }), new Clock());
        for (var i = 0; i < 10; i++)
        {
            throttle.RecordFailure($"user{i}", Attacker);
        }

        Assert.NotNull(throttle.RetryAfter("someone-else", Attacker));
        Assert.Null(throttle.RetryAfter("someone-else", Office));
    }

    [Fact]
    public void RecordSuccess_ClearsFailures()
    {
        var throttle = new LoginThrottle(Options.Create(new AuthOptions { MaxFailedLogins = 2 }), new Clock());
        throttle.RecordFailure("amy", Office);
        throttle.RecordSuccess("amy", Office);
        throttle.RecordFailure("amy", Office);
        Assert.Null(throttle.RetryAfter("amy", Office));
    }

    [Fact]
    public void RecordFailure_FloodOfDistinctNamesAndAddresses_KeepsTheTableBounded()
    {
        var throttle = new LoginThrottle(Options.Create(new AuthOptions { MaxFailedLoginsPerAddress = 1_000_000 }), new Clock());
        for (var i = 0; i < LoginThrottle.MaxTracked * 2; i++)
        {
            throttle.RecordFailure($"name-{i}", $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}");
        }

        Assert.InRange(throttle.TrackedKeys, 1, LoginThrottle.MaxTracked + 2);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    public void ClientKey_GroupsAnIpv6Slash64AndMappedIpv4(string first, string second, bool same) =>
        Assert.Equal(same, LoginThrottle.ClientKey(IPAddress.Parse(first)) == LoginThrottle.ClientKey(IPAddress.Parse(second)));

    [Fact]
    public async Task PasswordCheckGate_BeyondRunningAndQueued_Is429WithRetryAfter()
    {
        using var gate = new PasswordCheckGate(Options.Create(new AuthOptions { MaxConcurrentPasswordChecks = 1, MaxQueuedPasswordChecks = 1 }));
        using var release = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);
        var running = Task.Run(() => gate.CheckAsync(() => { started.Release(); release.Wait(); return true; }, CancellationToken.None));
        await started.WaitAsync();
        var queued = gate.CheckAsync(() => true, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<FerryException>(() => gate.CheckAsync(() => true, CancellationToken.None));
        Assert.Equal(FerryErrorKind.TooManyRequests, refused.Kind);
        Assert.NotNull(refused.RetryAfter);

        release.Set();
        Assert.True(await running);
        Assert.True(await queued);
        Assert.True(await gate.CheckAsync(() => true, CancellationToken.None)); // room again once they ended
    }
}
