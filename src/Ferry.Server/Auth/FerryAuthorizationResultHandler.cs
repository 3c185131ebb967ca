using Ferry.Server.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Ferry.Server.Auth;

/// <summary>Says in a 403 which role the operation needs and which one the caller has.</summary>
internal sealed class FerryAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler inner = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var needed = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            ErrorWriter.SetMessage(
                context,
                $"This operation needs the {needed ?? "required"} role or a stronger one; your role is {FerryPolicies.RoleOf(context.User)}.");
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }
}
