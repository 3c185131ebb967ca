namespace Ferry.Core.Access;

public interface ISubscriptionStore
{
    /// <summary>Adds the subscription unless it exists.</summary>
    Task AddAsync(Subscription subscription, CancellationToken cancellationToken);

    Task<Subscription?> FindAsync(string subscriptionId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Subscription>> ListAsync(CancellationToken cancellationToken);
}
