using System.Security.Claims;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.WebServices;
using Ferry.Server.Auth;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.WebServices;

/// <summary>Services Management APIs: publish, patch, list, get and delete versions; dedicated pools (9.3); a version's recent calls (Ferry).</summary>
internal static class WebServiceEndpoints
{
    public static IEndpointRouteBuilder MapWebServiceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/services").WithTags("Services Management APIs").RequirePermission(Permission.Reader);
        group.MapGet("/", List).WithName("getAllWebServices");
        group.MapPost("/{name}", PublishAsync).WithName("publishWebService").RequirePermission(Permission.Contributor);
        group.MapGet("/{name}", ListVersions).WithName("getAllWebServiceVersionsByName");
        group.MapPost("/{name}/{version}", PublishVersionAsync).WithName("publishWebServiceVersion").RequirePermission(Permission.Contributor);
        group.MapPatch("/{name}/{version}", PatchAsync).WithName("patchWebServiceVersion").RequirePermission(Permission.Contributor);
        group.MapGet("/{name}/{version}", Get).WithName("getWebServiceVersion");
        group.MapDelete("/{name}/{version}", DeleteAsync).WithName("deleteWebServiceVersion").RequirePermission(Permission.Contributor);
        group.MapGet("/{name}/{version}/stats", Stats).WithName("getWebServiceVersionStats")
            .WithSummary("A Ferry extension: the version's calls of the last 30 minutes in 10-second intervals (those with calls), oldest first.");
        group.MapPost("/{name}/{version}/pool", SetPoolAsync).WithName("createOrUpdateServicePool").RequirePermission(Permission.Owner);
        group.MapGet("/{name}/{version}/pool", PoolStatus).WithName("getServicePoolStatus").RequirePermission(Permission.Owner);
        group.MapDelete("/{name}/{version}/pool", DeletePoolAsync).WithName("deleteServicePool").RequirePermission(Permission.Owner);
        return app;
    }

    private static Ok<WebServiceResponse[]> List(ClaimsPrincipal user, WebServiceCatalog catalog) => Respond(catalog.List(), user);

    private static Ok<WebServiceResponse[]> ListVersions(string name, ClaimsPrincipal user, WebServiceCatalog catalog) => Respond(catalog.List(name), user);

    private static Ok<WebServiceResponse> Get(string name, string version, ClaimsPrincipal user, WebServiceCatalog catalog) =>
        TypedResults.Ok(WebServiceResponse.From(catalog.Get(name, version), user.Caller()));

    /// <summary>Read as the version is (<c>getWebServiceVersion</c>'s permission); an unknown version is a 404.</summary>
    private static Ok<ServiceStatsResponse> Stats(string name, string version, WebServiceCatalog catalog, FerryMetrics metrics)
    {
        var service = catalog.Get(name, version);
        return TypedResults.Ok(new ServiceStatsResponse(
            service.Name,
            service.Version,
            (int)ServiceCallWindow.Interval.TotalSeconds,
            [.. metrics.Points(service.Name, service.Version).Select(ServiceStatsPoint.From)]));
    }

    private static Task<Created<string>> PublishAsync(
        string name, PublishWebServiceRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken) =>
        PublishVersionAsync(name, null, request, user, catalog, cancellationToken);

    /// <summary>201 with a JSON string (clients call <c>.json()</c> on it): where to consume the new version.</summary>
    private static async Task<Created<string>> PublishVersionAsync(
        string name, string? version, PublishWebServiceRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        var service = await catalog.PublishAsync(user.Caller(), name, version, request.ToChange(), cancellationToken);
        var location = $"/api/{service.Name}/{service.Version}";
        return TypedResults.Created(location, location);
    }

    private static async Task<Ok<string>> PatchAsync(
        string name, string version, PublishWebServiceRequest request, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.PatchAsync(user.Caller(), name, version, request.ToChange(), cancellationToken);
        return TypedResults.Ok("Updated.");
    }

    private static async Task<Ok<MessageResponse>> DeleteAsync(
        string name, string version, ClaimsPrincipal user, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.DeleteAsync(user.Caller(), name, version, cancellationToken);
        return TypedResults.Ok(new MessageResponse("Deleted."));
    }

    private static async Task<Ok<string>> SetPoolAsync(
        string name, string version, ServicePoolRequest request, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        if (request.InitialPoolSize is not { } initial || request.MaxPoolSize is not { } max)
        {
            throw FerryException.BadRequest("Both InitialPoolSize and MaxPoolSize are required.");
        }

        await catalog.SetPoolAsync(name, version, new PoolSize(initial, max), cancellationToken);
        return TypedResults.Ok("Created.");
    }

    /// <summary>One entry per compute node; in one-box mode the local node is this server.</summary>
    private static Ok<ServicePoolStatusResponse[]> PoolStatus(string name, string version, HttpRequest request, WebServiceCatalog catalog, IServiceRunner runner) =>
        TypedResults.Ok(new[] { new ServicePoolStatusResponse($"{request.Scheme}://{request.Host}/", runner.PoolStatus(catalog.Get(name, version).Definition)) });

    private static async Task<Ok<string>> DeletePoolAsync(string name, string version, WebServiceCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.SetPoolAsync(name, version, null, cancellationToken);
        return TypedResults.Ok("Deleted.");
    }

    private static Ok<WebServiceResponse[]> Respond(IReadOnlyList<WebService> services, ClaimsPrincipal user)
    {
        var caller = user.Caller();
        return TypedResults.Ok(services.Select(s => WebServiceResponse.From(s, caller)).ToArray());
    }
}
