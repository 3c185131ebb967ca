using Ferry.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Ferry.Core.Arm;

/// <summary>
/// Long-running ARM operations: the work runs in the background and its outcome is recorded for
/// clients polling <c>Azure-AsyncOperation</c> or <c>Location</c>.
/// </summary>
public sealed partial class ArmOperationService(IArmOperationStore store, IResourceGroupStore groups, TimeProvider time, ILogger<ArmOperationService> logger)
{
    /// <summary>Records the operation, then runs <paramref name="work"/> in the background; a failure it throws ends the operation Failed.</summary>
    public async Task<ArmOperation> StartAsync(string resourceId, Func<Task> work, Func<Task> onFailure, CancellationToken cancellationToken)
    {
        var operation = new ArmOperation(Guid.NewGuid().ToString("D"), resourceId, ArmOperationStatus.InProgress, time.GetUtcNow(), null, null);
        await store.AddAsync(operation, cancellationToken);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await work();
                    await store.CompleteAsync(operation.Id, ArmOperationStatus.Succeeded, null, time.GetUtcNow(), CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or FerryException)
                {
                    LogFailed(logger, ex, resourceId);
                    await onFailure();
                    await store.CompleteAsync(operation.Id, ArmOperationStatus.Failed, ex.Message, time.GetUtcNow(), CancellationToken.None);
                }
            },
            CancellationToken.None);
        return operation;
    }

    /// <summary>The operation when its resource lives in the subscription (resource ids start with the resource group).</summary>
    public async Task<ArmOperation> GetAsync(string subscriptionId, string id, CancellationToken cancellationToken)
    {
        var operation = await store.FindAsync(id, cancellationToken);
        var group = operation is null ? null : await groups.FindAsync(operation.ResourceId.Split('/')[0], cancellationToken);
        return operation is not null && string.Equals(group?.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase)
            ? operation
            : throw new FerryException(FerryErrorKind.NotFound, $"There is no operation '{id}'.", code: "OperationNotFound");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The long-running operation on {ResourceId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string resourceId);
}
