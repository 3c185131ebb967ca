namespace Ferry.Core.Arm;

public interface IArmOperationStore
{
    Task AddAsync(ArmOperation operation, CancellationToken cancellationToken);

    Task<ArmOperation?> FindAsync(string id, CancellationToken cancellationToken);

    Task CompleteAsync(string id, string status, string? failure, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>At start-up: operations a stopped server left running end Failed, with the reason.</summary>
    Task FailUnfinishedAsync(string reason, DateTimeOffset endedAt, CancellationToken cancellationToken);
}
