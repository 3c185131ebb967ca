namespace Ferry.Server.Tests.Infrastructure;

/// <summary>A clock the test moves by hand, so expiry is tested without waiting.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
