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
