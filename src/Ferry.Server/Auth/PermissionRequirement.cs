using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>Marks the policy whose handler reads the endpoint's <see cref="Permission"/>.</summary>
internal sealed class PermissionRequirement : IAuthorizationRequirement;
