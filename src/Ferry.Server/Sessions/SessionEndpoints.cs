using System.Security.Claims;
using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ferry.Server.Sessions;

/// <summary>Session APIs: remote interpreter sessions owned by the caller.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sessions").WithTags("Session APIs");
        group.MapPost("/", CreateAsync).WithName("createSession");
        group.MapGet("/", List).WithName("listSessions");
        group.MapPost("/{id}/execute", ExecuteAsync).WithName("executeCode");
        group.MapPost("/{id}/cancel", Cancel).WithName("cancelSession");
        group.MapDelete("/{id}", CloseAsync).WithName("closeSession");
        group.MapDelete("/{id}/force", CloseByForceAsync).WithName("closeSessionByForce");
        group.MapGet("/{id}/console-output", ConsoleOutput).WithName("getSessionConsoleOutput");
        group.MapGet("/{id}/history", History).WithName("listSessionHistory");
        return app;
    }

    private static async Task<Created<CreateSessionResponse>> CreateAsync(
        CreateSessionRequest? request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request?.SnapshotId))
        {
            throw FerryException.BadRequest("Creating a session from a snapshot is not supported yet.");
        }

        var session = await sessions.CreateAsync(Owner(user), request?.Name, request?.RuntimeType ?? RuntimeType.R, cancellationToken);
        return TypedResults.Created($"/sessions/{session.Id}", new CreateSessionResponse(session.Id));
    }

    private static Ok<SessionResponse[]> List(ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(sessions.List(Owner(user)).Select(s => new SessionResponse(s.Id, s.Name, s.Owner, s.Runtime)).ToArray());

    private static async Task<Ok<ExecuteResponse>> ExecuteAsync(
        string id, ExecuteRequest request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        var inputs = (request.InputParameters ?? []).Select(p => (p.Name ?? "", p.Value)).ToList();
        var result = await sessions.ExecuteAsync(Owner(user), id, request.Code, inputs, request.OutputParameters ?? [], cancellationToken);
        return TypedResults.Ok(new ExecuteResponse(
            result.Success,
            result.ErrorMessage,
            [.. result.OutputParameters.Select(o => new WorkspaceObject(o.Name, o.Value))],
            result.ConsoleOutput,
            result.ChangedFiles));
    }

    private static Ok<MessageResponse> Cancel(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(new MessageResponse(sessions.Cancel(Owner(user), id) ? "Cancelling the running execution." : "Nothing is running."));

    private static async Task<Ok<MessageResponse>> CloseAsync(string id, ClaimsPrincipal user, SessionService sessions)
    {
        await sessions.CloseAsync(Owner(user), id);
        return TypedResults.Ok(new MessageResponse("Closed."));
    }

    private static async Task<Ok<MessageResponse>> CloseByForceAsync(string id, ClaimsPrincipal user, SessionService sessions)
    {
        sessions.Cancel(Owner(user), id);
        await sessions.CloseAsync(Owner(user), id);
        return TypedResults.Ok(new MessageResponse("Killed."));
    }

    private static Ok<ConsoleOutputResponse> ConsoleOutput(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(new ConsoleOutputResponse(sessions.Get(Owner(user), id).ConsoleOutput));

    private static Ok<IReadOnlyList<string>> History(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(sessions.Get(Owner(user), id).History);

    private static string Owner(ClaimsPrincipal user) => user.Identity?.Name ?? throw FerryException.Unauthorized("No user.");
}
