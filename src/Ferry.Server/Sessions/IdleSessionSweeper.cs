using Ferry.Core.Sessions;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Sessions;

/// <summary>Closes idle sessions every <see cref="RemoteSessionOptions.IdleCheckInterval"/>.</summary>
internal sealed partial class IdleSessionSweeper(
    SessionService sessions, IOptions<RemoteSessionOptions> options, TimeProvider time, ILogger<IdleSessionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var closed = await sessions.CloseIdleAsync();
            if (closed > 0)
            {
                LogClosed(logger, closed, options.Value.IdleTimeout);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} session(s) idle for more than {IdleTimeout}")]
    private static partial void LogClosed(ILogger logger, int count, TimeSpan idleTimeout);
}
