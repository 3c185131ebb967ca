using Ferry.Core.Execution;
using System.Security.Claims;
using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Core.Snapshots;
using Ferry.Server.Auth;
using Ferry.Server.Errors;
using Ferry.Server.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Ferry.Server.Sessions;

/// <summary>Session APIs: remote interpreter sessions owned by the caller.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sessions").WithTags("Session APIs").RequirePermission(Permission.Contributor);
        group.MapPost("/", CreateAsync).WithName("createSession");
        group.MapGet("/", List).WithName("listSessions");
        group.MapPost("/{id}/execute", ExecuteAsync).WithName("executeCode");
        group.MapPost("/{id}/cancel", Cancel).WithName("cancelSession");
        group.MapDelete("/{id}", CloseAsync).WithName("closeSession");
        group.MapDelete("/{id}/force", CloseByForceAsync).WithName("closeSessionByForce");
        group.MapGet("/{id}/console-output", ConsoleOutput).WithName("getSessionConsoleOutput");
        group.MapGet("/{id}/history", History).WithName("listSessionHistory");
        group.MapPost("/{id}/files", UploadFileAsync).WithName("uploadSessionFile")
            .WithRequestContent("multipart/form-data", "file").DisableAntiforgery();
        group.MapGet("/{id}/files", ListFiles).WithName("listSessionFiles");
        group.MapGet("/{id}/files/{fileName}", GetFile).WithName("getSessionFile");
        group.MapDelete("/{id}/files/{fileName}", DeleteFile).WithName("deleteSessionFile");
        group.MapGet("/{id}/workspace", ListObjectsAsync).WithName("listWorkspaceObjects");
        group.MapPost("/{id}/workspace/{objectName}", SetObjectAsync).WithName("setWorkspaceObject")
            .WithRequestContent("application/octet-stream");
        group.MapGet("/{id}/workspace/{objectName}", GetObjectAsync).WithName("getWorkspaceObject");
        group.MapDelete("/{id}/workspace/{objectName}", DeleteObjectAsync).WithName("deleteWorkspaceObject");
        return app;
    }

    /// <summary>A new session; with a snapshotId, the snapshot is loaded into it first (a failure closes it again).</summary>
    private static async Task<Created<CreateSessionResponse>> CreateAsync(
        CreateSessionRequest? request, ClaimsPrincipal user, SessionService sessions, SnapshotService snapshots, CancellationToken cancellationToken)
    {
        var runtime = request?.RuntimeType ?? RuntimeType.R;
        if (!string.IsNullOrEmpty(request?.SnapshotId))
        {
            var snapshot = await snapshots.GetAsync(user.Owner(), request.SnapshotId, cancellationToken);
            runtime = request.RuntimeType ?? snapshot.Runtime;
        }

        var session = await sessions.CreateAsync(user.Owner(), request?.Name, runtime, cancellationToken);
        if (!string.IsNullOrEmpty(request?.SnapshotId))
        {
            try
            {
                await snapshots.LoadAsync(user.Owner(), session.Id, request.SnapshotId, cancellationToken);
            }
            catch
            {
                await sessions.CloseAsync(user.Owner(), session.Id);
                throw;
            }
        }

        return TypedResults.Created($"/sessions/{session.Id}", new CreateSessionResponse(session.Id));
    }

    private static Ok<SessionResponse[]> List(ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(sessions.List(user.Owner()).Select(s => new SessionResponse(s.Id, s.Name, s.Owner, s.Runtime)).ToArray());

    private static async Task<Ok<ExecuteResponse>> ExecuteAsync(
        string id, ExecuteRequest request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        if (request.Code is null)
        {
            throw FerryException.BadRequest("'code' is required.");
        }

        if (request.InputParameters?.Any(p => p is null) == true || request.OutputParameters?.Any(name => name is null) == true)
        {
            throw FerryException.BadRequest("'inputParameters' holds objects ({\"name\": ..., \"value\": ...}) and 'outputParameters' names; neither may hold null.");
        }

        var execution = new ExecutionRequest(
            request.Code,
            [.. (request.InputParameters ?? []).Select(p => new InputValue(p.Name ?? "", p.Value))],
            [.. (request.OutputParameters ?? []).Select(name => new OutputSpec(name))]);
        var result = await sessions.ExecuteAsync(user.Owner(), id, execution, cancellationToken);
        return TypedResults.Ok(new ExecuteResponse(
            result.Success,
            result.ErrorMessage,
            [.. result.OutputParameters.Select(o => new WorkspaceObject(o.Name, o.Value))],
            result.ConsoleOutput,
            result.ChangedFiles));
    }

    private static Ok<MessageResponse> Cancel(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(new MessageResponse(sessions.Cancel(user.Owner(), id) ? "Cancelling the running execution." : "Nothing is running."));

    private static async Task<Ok<MessageResponse>> CloseAsync(string id, ClaimsPrincipal user, SessionService sessions)
    {
        await sessions.CloseAsync(user.Owner(), id);
        return TypedResults.Ok(new MessageResponse("Closed."));
    }

    private static async Task<Ok<MessageResponse>> CloseByForceAsync(string id, ClaimsPrincipal user, SessionService sessions)
    {
        sessions.Cancel(user.Owner(), id);
        await sessions.CloseAsync(user.Owner(), id);
        return TypedResults.Ok(new MessageResponse("Killed."));
    }

    private static Ok<ConsoleOutputResponse> ConsoleOutput(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(new ConsoleOutputResponse(sessions.Get(user.Owner(), id).ConsoleOutput));

    private static Ok<IReadOnlyList<string>> History(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(sessions.Get(user.Owner(), id).History);

    /// <summary>Streams the multipart part named <c>file</c> into the working directory, under its own file name.</summary>
    private static async Task<Created<MessageResponse>> UploadFileAsync(
        string id, HttpRequest request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        sessions.Get(user.Owner(), id);
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            throw FerryException.BadRequest("Upload the file as multipart/form-data with a part named 'file'.");
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await RequestBodies.ReadNextSectionAsync(reader, cancellationToken) is { } section)
        {
            if (section.GetContentDispositionHeader() is { } disposition && disposition.Name.Value == "file")
            {
                var fileName = disposition.FileName.Value ?? disposition.FileNameStar.Value;
                if (string.IsNullOrEmpty(fileName))
                {
                    throw FerryException.BadRequest("The 'file' part has no file name.");
                }

                await RequestBodies.ReadPartAsync(() => sessions.SaveFileAsync(user.Owner(), id, fileName, section.Body, cancellationToken), cancellationToken);
                return TypedResults.Created($"/sessions/{id}/files/{Uri.EscapeDataString(fileName)}", new MessageResponse($"Uploaded '{fileName}'."));
            }
        }

        throw FerryException.BadRequest("The form has no part named 'file'.");
    }

    private static Ok<IReadOnlyList<string>> ListFiles(string id, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.Ok(sessions.ListFiles(user.Owner(), id));

    private static FileStreamHttpResult GetFile(string id, string fileName, ClaimsPrincipal user, SessionService sessions) =>
        TypedResults.File(sessions.GetFile(user.Owner(), id, Unescaped(fileName)), "application/octet-stream", fileName);

    private static Ok<MessageResponse> DeleteFile(string id, string fileName, ClaimsPrincipal user, SessionService sessions)
    {
        sessions.DeleteFile(user.Owner(), id, Unescaped(fileName));
        return TypedResults.Ok(new MessageResponse($"Deleted '{fileName}'."));
    }

    private static async Task<Ok<IReadOnlyList<string>>> ListObjectsAsync(string id, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.ListObjectsAsync(user.Owner(), id, cancellationToken));

    /// <summary>The body is the object's dill bytes, as <c>dill.dumps</c> wrote them.</summary>
    private static async Task<Ok<MessageResponse>> SetObjectAsync(
        string id, string objectName, HttpRequest request, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.SetObjectAsync(user.Owner(), id, objectName, request.Body, cancellationToken);
        return TypedResults.Ok(new MessageResponse($"Set '{objectName}'."));
    }

    private static async Task<FileContentHttpResult> GetObjectAsync(
        string id, string objectName, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken) =>
        TypedResults.File(await sessions.GetObjectAsync(user.Owner(), id, objectName, cancellationToken), "application/octet-stream", objectName + ".dill");

    private static async Task<Ok<MessageResponse>> DeleteObjectAsync(
        string id, string objectName, ClaimsPrincipal user, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.DeleteObjectAsync(user.Owner(), id, objectName, cancellationToken);
        return TypedResults.Ok(new MessageResponse($"Deleted '{objectName}'."));
    }

    /// <summary>Routing decodes a path segment except <c>%2F</c>; a name holding one means a slash to the client.</summary>
    private static string Unescaped(string segment) => segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
