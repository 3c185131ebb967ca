using System.Globalization;
using Ferry.Core.Auth;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;
using Ferry.Server.Auth;
using Ferry.Server.Diagnostics;
using Ferry.Server.Errors;
using Ferry.Server.OpenApi;

namespace Ferry.Server.AzureMl;

/// <summary>
/// The login host of the Azure-ML walk: AAD's v1 client-credentials token endpoint. Values in the
/// answer are strings, as AAD sends them; errors are OAuth's <c>{error, error_description, ...}</c>.
/// </summary>
internal static class OAuthEndpoints
{
    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{tenantId}/oauth2/token", TokenAsync)
            .WithName("getClientCredentialsToken").WithTags("Azure ML: tokens")
            .RequirePermission(Permission.Public).DisableAntiforgery().WithRequestContent("application/x-www-form-urlencoded");
        return app;
    }

    private static async Task<IResult> TokenAsync(
        string tenantId, HttpContext context, ServicePrincipalService principals, AccessTokens tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return Error(context, time, 400, "invalid_request", 900144, "The request body must be application/x-www-form-urlencoded with grant_type, client_id and client_secret.");
        }

        var form = await RequestBodies.ReadFormAsync(context.Request, cancellationToken);
        if (!string.Equals(tenantId, await principals.TenantIdAsync(cancellationToken), StringComparison.OrdinalIgnoreCase))
        {
            return Error(context, time, 400, "invalid_request", 90002, $"Tenant '{tenantId}' not found. This server's tenant id is printed by 'ferry admin sp create'.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return Error(context, time, 400, "unsupported_grant_type", 70003, "The grant_type must be 'client_credentials'.");
        }

        string clientId = form["client_id"].ToString(), secret = form["client_secret"].ToString();
        if (clientId.Length == 0 || secret.Length == 0)
        {
            return Error(context, time, 400, "invalid_request", 900144, $"The request body must contain the parameter '{(clientId.Length == 0 ? "client_id" : "client_secret")}'.");
        }

        var principal = await principals.AuthenticateAsync(clientId, secret, cancellationToken);
        if (principal is null)
        {
            return Error(context, time, 401, "invalid_client", 7000215, "Invalid client secret is provided, or there is no client with this id.");
        }

        var (token, expires) = tokens.Create(new Grant(
            ServicePrincipalService.LoginPrefix + principal.Name, Role.Contributor, ServicePrincipalService.LoginPrefix + principal.ClientId, ""));
        var now = time.GetUtcNow();
        var seconds = ((long)(expires - now).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Json(new Dictionary<string, string>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["expires_on"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["not_before"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = form["resource"].ToString() is { Length: > 0 } resource ? resource : "https://management.azure.com/",
            ["access_token"] = token,
        });
    }

    private static IResult Error(HttpContext context, TimeProvider time, int status, string error, int code, string description) => Results.Json(
        new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description}",
            ["error_codes"] = new[] { code },
            ["timestamp"] = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["trace_id"] = RequestLog.CorrelationIdOf(context) ?? "",
            ["correlation_id"] = RequestLog.CorrelationIdOf(context) ?? "",
        },
        statusCode: status);
}
