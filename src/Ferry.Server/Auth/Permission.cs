using Ferry.Core.Users;

namespace Ferry.Server.Auth;

/// <summary>Where a permission is checked.</summary>
internal enum PermissionPlane
{
    /// <summary>No token needed (login, the client-credentials token, key-scored endpoints, signed URLs).</summary>
    Public,

    /// <summary>Any valid token, a user's or a service principal's.</summary>
    SignedIn,

    /// <summary>ML Server's roles, from the user's token; service principals hold none.</summary>
    MLServer,

    /// <summary>An ARM action at the scope of the subscription in the path, checked against role assignments.</summary>
    AzureML,
}

/// <summary>
/// What an operation needs, declared where its route is mapped (<see cref="PermissionExtensions.RequirePermission{TBuilder}"/>)
/// and shown per operation in the OpenAPI document as <c>x-ferry-permission</c>. On the Azure-ML plane
/// it is an ARM action: one ending in <c>/read</c> needs Reader, any other (write, delete, action) Contributor.
/// </summary>
internal sealed record Permission(PermissionPlane Plane, Role? Role, string? Action)
{
    public static readonly Permission Public = new(PermissionPlane.Public, null, null);

    public static readonly Permission SignedIn = new(PermissionPlane.SignedIn, null, null);

    public static readonly Permission Reader = new(PermissionPlane.MLServer, Core.Users.Role.Reader, null);

    public static readonly Permission Contributor = new(PermissionPlane.MLServer, Core.Users.Role.Contributor, null);

    public static readonly Permission Owner = new(PermissionPlane.MLServer, Core.Users.Role.Owner, null);

    /// <summary>An ARM action such as <c>Microsoft.MachineLearningServices/workspaces/write</c>.</summary>
    public static Permission Arm(string action) =>
        new(PermissionPlane.AzureML, action.EndsWith("/read", StringComparison.Ordinal) ? Core.Users.Role.Reader : Core.Users.Role.Contributor, action);

    /// <summary>One line for logs and messages: <c>MLServer:Contributor</c>, <c>AzureML:Reader:{action}</c>, <c>Public</c>.</summary>
    public override string ToString() => string.Join(':', new[] { Plane.ToString(), Role?.ToString(), Action }.Where(p => p is not null));
}

/// <summary>The resource types ARM actions name (<c>{type}/read</c>, <c>{type}/write</c>, <c>{type}/listKeys/action</c>...).</summary>
internal static class ArmActions
{
    public const string Subscriptions = "Microsoft.Resources/subscriptions";
    public const string ResourceGroups = "Microsoft.Resources/subscriptions/resourceGroups";
    public const string Workspaces = "Microsoft.MachineLearningServices/workspaces";
    public const string Locations = "Microsoft.MachineLearningServices/locations";
}

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
