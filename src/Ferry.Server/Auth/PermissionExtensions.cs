namespace Ferry.Server.Auth;

internal static class PermissionExtensions
{
    /// <summary>
    /// Declares the permission the operation needs. The most specific declaration wins: one on an
    /// endpoint overrides its group's.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(permission);
        return permission.Plane == PermissionPlane.Public ? builder.AllowAnonymous() : builder.RequireAuthorization(FerryPolicies.Permission);
    }
}
