namespace Ferry.Core.Changes;

/// <summary>
/// Tells the other nodes sharing this database that something they may hold in memory changed:
/// <c>LISTEN/NOTIFY</c> on PostgreSQL; nothing on SQLite, whose one server changes its own memory
/// as it writes. Sent after the change is committed; a node that may have missed notices resyncs.
/// </summary>
public interface IChangeNotices
{
    /// <summary>Announces that <paramref name="key"/> of <paramref name="topic"/> changed (best effort: a node that misses it resyncs when it reconnects).</summary>
    Task PublishAsync(string topic, string key, CancellationToken cancellationToken);
}
