using Ferry.Core.Users;

namespace Ferry.Server.Auth;

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
