using Ferry.Core.Errors;
using Ferry.Core.ServicePrincipals;

namespace Ferry.Core.Access;

/// <summary>
/// The subscriptions this server plays: a default one (its id kept in the settings since issue 5)
/// and one per service principal made by <c>ferry admin sp create</c>.
/// </summary>
public sealed class SubscriptionService(ISubscriptionStore store, ISettingsStore settings, TimeProvider time)
{
    private const string DefaultName = "Ferry";
    private Task<string>? defaultId;

    /// <summary>The default subscription's id, created (with its row) on first use.</summary>
    public Task<string> DefaultIdAsync(CancellationToken cancellationToken) =>
        (defaultId ??= EnsureDefaultAsync(CancellationToken.None)).WaitAsync(cancellationToken);

    public async Task<Subscription> CreateAsync(string displayName, CancellationToken cancellationToken)
    {
        await DefaultIdAsync(cancellationToken);
        var subscription = new Subscription(Guid.NewGuid().ToString("D"), displayName, time.GetUtcNow());
        await store.AddAsync(subscription, cancellationToken);
        return subscription;
    }

    public async Task<Subscription?> FindAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await DefaultIdAsync(cancellationToken);
        return await store.FindAsync(subscriptionId, cancellationToken);
    }

    public async Task<Subscription> GetAsync(string subscriptionId, CancellationToken cancellationToken) =>
        await FindAsync(subscriptionId, cancellationToken) ?? throw NotFound(subscriptionId);

    /// <summary>Every subscription, the default one first (clients that take the first one get the server's own).</summary>
    public async Task<IReadOnlyList<Subscription>> ListAsync(CancellationToken cancellationToken)
    {
        var defaultId = await DefaultIdAsync(cancellationToken);
        return [.. (await store.ListAsync(cancellationToken)).OrderBy(s => string.Equals(s.SubscriptionId, defaultId, StringComparison.OrdinalIgnoreCase) ? 0 : 1)];
    }

    /// <summary>ARM's answer for a subscription that does not exist or that the caller holds no role on.</summary>
    public static FerryException NotFound(string subscriptionId) =>
        new(FerryErrorKind.NotFound, $"The subscription '{subscriptionId}' could not be found.", code: "SubscriptionNotFound");

    private async Task<string> EnsureDefaultAsync(CancellationToken cancellationToken)
    {
        var id = await settings.GetOrAddAsync("subscriptionId", () => Guid.NewGuid().ToString("D"), cancellationToken);
        await store.AddAsync(new Subscription(id, DefaultName, time.GetUtcNow()), cancellationToken);
        return id;
    }
}
