using Ferry.Server.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Ferry.Server.Auth;

/// <summary>Answers a refusal with the status, code and message the permission check chose (403, or ARM's 404 for a subscription out of reach).</summary>
internal sealed class FerryAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler inner = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<PermissionFailure>().FirstOrDefault() is { } failure)
        {
            return ErrorWriter.WriteAsync(context, failure.Status, failure.Message, failure.Code);
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
