namespace Ferry.Core.Access;

/// <summary>A principal as role assignments name it: a user by name, a service principal by client id.</summary>
public sealed record PrincipalRef(PrincipalKind Kind, string Id, string DisplayName);
