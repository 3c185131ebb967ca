using System.Security.Claims;
using Ferry.Core.Snapshots;
using Ferry.Server.Auth;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.Snapshots;

/// <summary>Snapshot APIs: a session's workspace and files saved, listed, downloaded, loaded, deleted.</summary>
internal static class SnapshotEndpoints
{
    public static IEndpointRouteBuilder MapSnapshotEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Snapshot APIs").RequirePermission(Permission.Contributor);
        group.MapPost("/sessions/{id}/snapshot", CreateAsync).WithName("CreateSnapshot");
        group.MapPost("/sessions/{id}/loadsnapshot/{snapshotId}", LoadAsync).WithName("LoadSnapshot");
        group.MapGet("/snapshots", ListAsync).WithName("ListSnapshots");
        group.MapGet("/snapshots/{id}", GetContentAsync).WithName("GetSnapshotContent");
        group.MapDelete("/snapshots/{id}", DeleteAsync).WithName("DeleteSnapshot");
        return app;
    }

    private static async Task<Created<CreateSnapshotResponse>> CreateAsync(
        string id, CreateSnapshotRequest? request, ClaimsPrincipal user, SnapshotService snapshots, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.CreateAsync(user.Owner(), id, request?.Name, cancellationToken);
        return TypedResults.Created($"/snapshots/{snapshot.Id}", new CreateSnapshotResponse(snapshot.Id));
    }

    private static async Task<Ok<MessageResponse>> LoadAsync(
        string id, string snapshotId, ClaimsPrincipal user, SnapshotService snapshots, CancellationToken cancellationToken)
    {
        await snapshots.LoadAsync(user.Owner(), id, snapshotId, cancellationToken);
        return TypedResults.Ok(new MessageResponse($"Loaded snapshot '{snapshotId}'."));
    }

    private static async Task<Ok<SnapshotResponse[]>> ListAsync(ClaimsPrincipal user, SnapshotService snapshots, CancellationToken cancellationToken) =>
        TypedResults.Ok((await snapshots.ListAsync(user.Owner(), cancellationToken))
            .Select(s => new SnapshotResponse(s.Id, s.Name, s.Owner, s.CreationTime, s.ContentSize)).ToArray());

    private static async Task<PhysicalFileHttpResult> GetContentAsync(string id, ClaimsPrincipal user, SnapshotService snapshots, CancellationToken cancellationToken) =>
        TypedResults.PhysicalFile(await snapshots.GetContentAsync(user.Owner(), id, cancellationToken), "application/zip", $"{id}.zip");

    private static async Task<Ok<MessageResponse>> DeleteAsync(string id, ClaimsPrincipal user, SnapshotService snapshots, CancellationToken cancellationToken)
    {
        await snapshots.DeleteAsync(user.Owner(), id, cancellationToken);
        return TypedResults.Ok(new MessageResponse("Deleted."));
    }
}
