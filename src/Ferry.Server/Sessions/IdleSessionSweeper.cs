using System.Data.Common;
using Ferry.Core.Sessions;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Sessions;

/// <summary>Closes idle sessions every <see cref="RemoteSessionOptions.IdleCheckInterval"/>, and forgets those of nodes long gone.</summary>
internal sealed partial class IdleSessionSweeper(
    SessionService sessions, IOptions<RemoteSessionOptions> options, TimeProvider time, ILogger<IdleSessionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var closed = await sessions.CloseIdleAsync();
                if (closed > 0)
                {
                    LogClosed(logger, closed, options.Value.IdleTimeout);
                }

                var forgotten = await sessions.ForgetGoneNodesAsync();
                if (forgotten > 0)
                {
                    LogForgotten(logger, forgotten);
                }
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException)
            {
                LogSweepFailed(logger, ex); // the database away for a while: the next tick tries again; the node goes on
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} session(s) idle for more than {IdleTimeout}")]
    private static partial void LogClosed(ILogger logger, int count, TimeSpan idleTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The idle-session sweep failed; it runs again at the next check")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} session(s) of nodes gone for longer than the idle timeout")]
    private static partial void LogForgotten(ILogger logger, int count);
}
