namespace Ferry.Core.Access;

public interface IRoleAssignmentStore
{
    /// <summary>Creates or replaces the principal's role on the subscription.</summary>
    Task UpsertAsync(RoleAssignment assignment, CancellationToken cancellationToken);

    Task<RoleAssignment?> FindAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Assignments, optionally only one principal's and/or one subscription's.</summary>
    Task<IReadOnlyList<RoleAssignment>> ListAsync(PrincipalKind? kind, string? principalId, string? subscriptionId, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken);
}
