namespace Ferry.Core.Arm;

/// <summary>A long-running ARM operation, as <c>Azure-AsyncOperation</c> and <c>Location</c> report it.</summary>
public sealed record ArmOperation(string Id, string ResourceId, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Error)
{
    public bool IsDone => Status != ArmOperationStatus.InProgress;
}
