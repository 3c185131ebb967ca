using Ferry.Core.Users;

namespace Ferry.Core.Access;

/// <summary>Who holds a role on the Azure-ML plane: a local user or a service principal.</summary>
public enum PrincipalKind
{
    User,
    ServicePrincipal,
}

/// <summary>A principal as role assignments name it: a user by name, a service principal by client id.</summary>
public sealed record PrincipalRef(PrincipalKind Kind, string Id, string DisplayName);

/// <summary>An ARM subscription of this server; resource groups live in exactly one.</summary>
public sealed record Subscription(string SubscriptionId, string DisplayName, DateTimeOffset CreatedAt);

/// <summary>A role (Reader, Contributor, Owner) held by a principal at subscription scope, ARM's way.</summary>
public sealed record RoleAssignment(PrincipalKind PrincipalKind, string PrincipalId, string PrincipalName, string SubscriptionId, Role Role, DateTimeOffset CreatedAt);

public interface ISubscriptionStore
{
    /// <summary>Adds the subscription unless it exists.</summary>
    Task AddAsync(Subscription subscription, CancellationToken cancellationToken);

    Task<Subscription?> FindAsync(string subscriptionId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Subscription>> ListAsync(CancellationToken cancellationToken);
}

public interface IRoleAssignmentStore
{
    /// <summary>Creates or replaces the principal's role on the subscription.</summary>
    Task UpsertAsync(RoleAssignment assignment, CancellationToken cancellationToken);

    Task<RoleAssignment?> FindAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Assignments, optionally only one principal's and/or one subscription's.</summary>
    Task<IReadOnlyList<RoleAssignment>> ListAsync(PrincipalKind? kind, string? principalId, string? subscriptionId, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(PrincipalKind kind, string principalId, string subscriptionId, CancellationToken cancellationToken);
}
