using Ferry.Core.Users;

namespace Ferry.Core.Access;

/// <summary>A role (Reader, Contributor, Owner) held by a principal at subscription scope, ARM's way.</summary>
public sealed record RoleAssignment(PrincipalKind PrincipalKind, string PrincipalId, string PrincipalName, string SubscriptionId, Role Role, DateTimeOffset CreatedAt);
