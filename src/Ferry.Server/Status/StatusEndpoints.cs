using Ferry.Core.Status;
using Ferry.Server.Auth;
using Ferry.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.Status;

/// <summary>Status APIs: the health tree of the contract's <c>StatusResponse</c>.</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatusAsync).WithName("status").WithTags("Status APIs").RequirePermission(Permission.SignedIn);
        return app;
    }

    private static async Task<Ok<StatusResponse>> GetStatusAsync(StatusService status, ServerInfo server, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, object?>
        {
            ["version"] = server.Version,
            ["startedAt"] = server.StartedAt,
            ["dataDirectory"] = server.DataDirectory,
        };
        return TypedResults.Ok(StatusResponse.From(await status.CheckAsync(details, cancellationToken)));
    }
}
