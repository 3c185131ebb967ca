using Dapper;
using Ferry.Core.Access;
using Ferry.Storage.Database;

namespace Ferry.Storage.Access;

internal sealed class SubscriptionStore(FerryDatabase database) : ISubscriptionStore
{
    private const string Select = "SELECT subscription_id AS SubscriptionId, display_name AS DisplayName, created_at AS CreatedAt FROM subscriptions";

    public async Task AddAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO subscriptions (subscription_id, display_name, created_at) VALUES (@SubscriptionId, @DisplayName, @CreatedAt) ON CONFLICT DO NOTHING;",
            new { subscription.SubscriptionId, subscription.DisplayName, CreatedAt = Timestamps.Format(subscription.CreatedAt) },
            cancellationToken: cancellationToken));
    }

    public async Task<Subscription?> FindAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE subscription_id = @subscriptionId;", new { subscriptionId }, cancellationToken: cancellationToken));
        return row?.ToSubscription();
    }

    public async Task<IReadOnlyList<Subscription>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"{Select} ORDER BY created_at, subscription_id;", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToSubscription())];
    }

    private sealed record Row(string SubscriptionId, string DisplayName, string CreatedAt)
    {
        public Subscription ToSubscription() => new(SubscriptionId, DisplayName, Timestamps.Parse(CreatedAt));
    }
}
