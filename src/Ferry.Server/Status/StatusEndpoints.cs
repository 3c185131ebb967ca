using Ferry.Core.Errors;
using Ferry.Core.Status;
using Ferry.Server.Auth;
using Ferry.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.Status;

/// <summary>
/// Status APIs: the health tree of the contract's <c>StatusResponse</c> (signed in), and two probes
/// for load balancers and Kubernetes that need no token and show nothing but pass or fail:
/// <c>/status/live</c> (the process answers) and <c>/status/ready</c> (it also reaches its database).
/// </summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatusAsync).WithName("status").WithTags("Status APIs").RequirePermission(Permission.SignedIn);
        app.MapGet("/status/live", GetLiveness).WithName("getLiveness").WithTags("Status APIs").RequirePermission(Permission.Public);
        app.MapGet("/status/ready", GetReadinessAsync).WithName("getReadiness").WithTags("Status APIs").RequirePermission(Permission.Public);
        return app;
    }

    /// <summary>Answers once start-up finished (the server listens only then): a liveness and start-up probe.</summary>
    private static Ok<ProbeResponse> GetLiveness() => TypedResults.Ok(new ProbeResponse("pass"));

    /// <summary>The database answers a real query; else 503, so a load balancer sends this node nothing.</summary>
    private static async Task<Ok<ProbeResponse>> GetReadinessAsync(IEnumerable<IStatusContributor> contributors, CancellationToken cancellationToken)
    {
        var database = contributors.Single(c => c.Name == "database");
        StatusNode node;
        try
        {
            node = await database.CheckAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new FerryException(FerryErrorKind.Unavailable, "The database cannot be reached.", TimeSpan.FromSeconds(5));
        }

        return node.StatusCode == StatusCode.Pass
            ? TypedResults.Ok(new ProbeResponse("pass"))
            : throw new FerryException(FerryErrorKind.Unavailable, "The database is not healthy.", TimeSpan.FromSeconds(5));
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
