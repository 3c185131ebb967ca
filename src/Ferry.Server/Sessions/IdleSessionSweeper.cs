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
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} session(s) idle for more than {IdleTimeout}")]
    private static partial void LogClosed(ILogger logger, int count, TimeSpan idleTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} session(s) of nodes gone for longer than the idle timeout")]
    private static partial void LogForgotten(ILogger logger, int count);
}
