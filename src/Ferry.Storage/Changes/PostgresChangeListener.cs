using System.Threading.Channels;
using Dapper;
using Ferry.Core.Changes;
using Ferry.Storage.Database;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ferry.Storage.Changes;

/// <summary>
/// Listens for the other nodes' change notices on a connection of its own and hands them, in order,
/// to <see cref="ChangeDispatcher"/>. A lost connection is opened again (backing off to 30 s), and
/// since notices sent meanwhile are gone, every subscriber then resyncs; so does the first LISTEN,
/// which may come after start-up read the catalogs. Idle, it pings the server so a dead link is noticed.
/// The same connection holds the node's presence lock (<see cref="NodePresence"/>).
/// </summary>
internal sealed partial class PostgresChangeListener(
    FerryDatabase database, NodePresence node, IChangeNotices notices, ChangeDispatcher dispatcher, TimeProvider time, ILogger<PostgresChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<(string Topic, string Key)?> received = Channel.CreateUnbounded<(string Topic, string Key)?>(new UnboundedChannelOptions { SingleReader = true });

    private NpgsqlConnection? first;

    /// <summary>
    /// The first connection is opened before the hosted services after this one start, so the node holds its
    /// presence lock before it claims anything by it (the batches it resumes).
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (notices is PostgresChangeNotices && database is PostgresDatabase)
        {
            try
            {
                first = await ListenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                LogLost(logger, ex, 1); // the loop tries again
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (notices is not PostgresChangeNotices || database is not PostgresDatabase)
        {
            return; // SQLite: one node, nothing to hear
        }

        var applying = ApplyAsync(stoppingToken);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = first ?? await ListenAsync(stoppingToken);
                first = null;
                backoff = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(PingInterval, stoppingToken))
                    {
                        await connection.ExecuteAsync(new CommandDefinition("SELECT 1;", cancellationToken: stoppingToken));
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogLost(logger, ex, backoff.TotalSeconds);
                await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        received.Writer.TryComplete();
        await applying;
    }

    /// <summary>A new connection that listens and holds the node's presence lock; a resync is queued behind whatever came before.</summary>
    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var own = (PostgresChangeNotices)notices;
        var connection = await ((PostgresDatabase)database).OpenListenerAsync(cancellationToken);
        try
        {
            connection.Notification += (_, e) =>
            {
                if (PostgresChangeNotices.Parse(e.Payload) is { } notice && notice.Node != own.NodeId)
                {
                    received.Writer.TryWrite((notice.Topic, notice.Key));
                }
            };
            await connection.ExecuteAsync(new CommandDefinition(
                $"LISTEN {PostgresChangeNotices.Channel}; SELECT pg_advisory_lock({NodePresence.LockClass}, {node.Number});", cancellationToken: cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        received.Writer.TryWrite(null); // whatever was sent before this LISTEN is read again
        LogListening(logger, database.Location);
        return connection;
    }

    /// <summary>One notice at a time, in the order they came; null asks for a resync.</summary>
    private async Task ApplyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in received.Reader.ReadAllAsync(stoppingToken))
            {
                if (notice is { } n)
                {
                    await dispatcher.ApplyAsync(n.Topic, n.Key, stoppingToken);
                }
                else
                {
                    await dispatcher.ResyncAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for other nodes' changes on {Database}")]
    private static partial void LogListening(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the change-notice connection; retrying in {Seconds} s, then resyncing")]
    private static partial void LogLost(ILogger logger, Exception exception, double seconds);
}
