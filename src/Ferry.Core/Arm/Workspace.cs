namespace Ferry.Core.Arm;

/// <summary>An Azure-ML workspace: a named place for experiments, models and endpoints in a resource group.</summary>
public sealed record Workspace(
    string ResourceGroup,
    string Name,
    string Location,
    string WorkspaceId,
    string FriendlyName,
    string Description,
    string Sku,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreatedAt,
    string ProvisioningState);

/// <summary>What a PUT or PATCH of a workspace sends; on PATCH, what is null stays.</summary>
public sealed record WorkspaceChange(string? Location, string? FriendlyName, string? Description, string? Sku, IReadOnlyDictionary<string, string>? Tags);

/// <summary>A long-running ARM operation, as <c>Azure-AsyncOperation</c> and <c>Location</c> report it.</summary>
public sealed record ArmOperation(string Id, string ResourceId, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Error)
{
    public bool IsDone => Status != ArmOperationStatus.InProgress;
}

/// <summary>ARM's operation states.</summary>
public static class ArmOperationStatus
{
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}

public interface IWorkspaceStore
{
    Task<Workspace?> FindAsync(string resourceGroup, string name, CancellationToken cancellationToken);

    /// <summary>In one resource group, or in all when <paramref name="resourceGroup"/> is null.</summary>
    Task<IReadOnlyList<Workspace>> ListAsync(string? resourceGroup, CancellationToken cancellationToken);

    /// <summary>Creates or replaces; true when created.</summary>
    Task<bool> UpsertAsync(Workspace workspace, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string resourceGroup, string name, CancellationToken cancellationToken);
}

public interface IArmOperationStore
{
    Task AddAsync(ArmOperation operation, CancellationToken cancellationToken);

    Task<ArmOperation?> FindAsync(string id, CancellationToken cancellationToken);

    Task CompleteAsync(string id, string status, string? failure, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>At start-up: operations a stopped server left running end Failed, with the reason.</summary>
    Task FailUnfinishedAsync(string reason, DateTimeOffset endedAt, CancellationToken cancellationToken);
}
