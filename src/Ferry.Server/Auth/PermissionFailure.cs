using Microsoft.AspNetCore.Authorization;

namespace Ferry.Server.Auth;

/// <summary>A refusal with the status, code and message the caller gets.</summary>
internal sealed class PermissionFailure(IAuthorizationHandler handler, int status, string code, string message)
    : AuthorizationFailureReason(handler, message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
