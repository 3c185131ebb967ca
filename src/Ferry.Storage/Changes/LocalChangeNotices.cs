using Ferry.Core.Changes;

namespace Ferry.Storage.Changes;

/// <summary>
/// SQLite's notices: none. One server holds the file and changes its own memory as it writes; what
/// the admin CLI changes beside it is seen within <c>Ferry:Auth:RevocationCacheLifetime</c>.
/// </summary>
internal sealed class LocalChangeNotices : IChangeNotices
{
    public Task PublishAsync(string topic, string key, CancellationToken cancellationToken) => Task.CompletedTask;
}
