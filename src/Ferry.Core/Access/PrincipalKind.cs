namespace Ferry.Core.Access;

/// <summary>Who holds a role on the Azure-ML plane: a local user or a service principal.</summary>
public enum PrincipalKind
{
    User,
    ServicePrincipal,
}
