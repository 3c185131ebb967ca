using Microsoft.Extensions.Logging;

namespace Ferry.Core.Changes;

/// <summary>Hands a notice received from another node to the subscribers of its topic; a failing subscriber is logged, never fatal.</summary>
public sealed partial class ChangeDispatcher(IEnumerable<IChangeSubscriber> subscribers, ILogger<ChangeDispatcher> logger)
{
    public async Task ApplyAsync(string topic, string key, CancellationToken cancellationToken)
    {
        foreach (var subscriber in subscribers.Where(s => s.Topic == topic))
        {
            try
            {
                await subscriber.ApplyAsync(key, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex, topic, key);
            }
        }
    }

    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber.ResyncAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex, subscriber.Topic, "*");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying the change notice {Topic} {Key} failed; the next change or resync will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic, string key);
}
