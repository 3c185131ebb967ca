using System.Collections.Concurrent;
using System.Data.Common;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Files;
using Ferry.Core.Nodes;
using Ferry.Core.Text;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Sessions;

/// <summary>
/// Creates, runs and ends remote sessions. A session is visible to its owner only: to anyone else it
/// does not exist (404). A session whose worker died answers 410 from then on. Sessions nobody
/// calls for <see cref="RemoteSessionOptions.IdleTimeout"/> are closed.
/// </summary>
public sealed class SessionService : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Session> sessions = new();
    private readonly IWorkerFactory workers;
    private readonly IOptions<RemoteSessionOptions> options;
    private readonly TimeProvider time;
    private readonly ISessionPlacementStore placements;
    private readonly NodeIdentity node;

    public SessionService(IWorkerFactory workers, IOptions<RemoteSessionOptions> options, TimeProvider time, FerryMetrics metrics, ISessionPlacementStore placements, NodeIdentity node)
    {
        this.placements = placements;
        this.node = node;
        this.workers = workers;
        this.options = options;
        this.time = time;
        metrics.ObserveOpenSessions(() => sessions.Count);
    }

    private string Root => Path.GetFullPath(options.Value.Directory);

    /// <summary>Sessions open on this node.</summary>
    public int Count => sessions.Count;

    public async Task<Session> CreateAsync(string owner, string? name, RuntimeType runtime, CancellationToken cancellationToken)
    {
        if (runtime == RuntimeType.Realtime)
        {
            throw FerryException.BadRequest("A session runs R or Python; Realtime is only a web service's runtimeType (a model published at /realtime-services).");
        }

        FreeText.Check("name", name, FreeText.MaxName);

        // The placement is the reservation: counted and added in one write transaction among the owner's
        // sessions on every node that lives, so creations racing through any web or compute node cannot pass
        // the limit together. A session being started counts.
        var id = Guid.NewGuid().ToString("D");
        if (!await placements.TryAddAsync(new SessionPlacement(id, owner, node.Url, node.Instance), options.Value.MaxSessionsPerUser, cancellationToken))
        {
            throw TooManySessions(options.Value.MaxSessionsPerUser);
        }

        var directory = Path.Combine(Root, id);
        try
        {
            Directory.CreateDirectory(directory);
            var worker = await workers.StartAsync(runtime, directory, owner, cancellationToken);
            var session = new Session(id, string.IsNullOrWhiteSpace(name) ? id : name, owner, runtime, worker, time.GetUtcNow());
            sessions[id] = session;
            return session;
        }
        catch
        {
            ConfinedFiles.DeleteTree(directory);

            try
            {
                await placements.RemoveAsync(id, CancellationToken.None); // the reservation goes with it
            }
            catch (DbException)
            {
                // The worker's error is the one to report; the row goes when this node does.
            }

            throw;
        }
    }

    /// <summary>The 429 for a user at the session limit, which counts the user's sessions on every node.</summary>
    private static FerryException TooManySessions(int max) =>
        FerryException.TooManyRequests($"You have {max} open sessions, the most allowed; close one first.", TimeSpan.FromSeconds(1));

    public IReadOnlyList<Session> List(string owner) =>
        [.. sessions.Values.Where(s => s.Owner == owner).OrderBy(s => s.CreatedAt)];

    /// <summary>The caller's session; reaching it counts as activity.</summary>
    public Session Get(string owner, string id)
    {
        if (sessions.TryGetValue(id, out var session) && session.Owner == owner)
        {
            session.Touch(time.GetUtcNow());
            return session;
        }

        throw FerryException.NotFound($"There is no session '{id}'. Sessions end when they are closed, when idle for {options.Value.IdleTimeout}, or when the server restarts.");
    }

    public async Task<ExecutionResult> ExecuteAsync(string owner, string id, ExecutionRequest request, CancellationToken cancellationToken)
    {
        var duplicate = request.Inputs.GroupBy(i => i.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null || request.Inputs.Any(i => string.IsNullOrEmpty(i.Name)))
        {
            throw FerryException.BadRequest(duplicate is null ? "Every input parameter needs a 'name'." : $"Input parameter '{duplicate.Key}' is given twice.");
        }

        var session = Live(Get(owner, id));
        using var call = session.BeginCall(time);
        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            session.Record(request.Code);
            ExecutionResult result;
            try
            {
                result = (await Live(session).Worker.ExecuteAsync(request, cancellationToken)).Sendable();
            }
            catch (WorkerDiedException died)
            {
                // The user's code ended the interpreter: a failed execution, and the session is gone.
                result = ExecutionResult.Failed(died.Message);
            }

            session.ConsoleOutput = result.ConsoleOutput;
            return result;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    public bool Cancel(string owner, string id) => Get(owner, id).Worker.Interrupt();

    public Task<IReadOnlyList<string>> ListObjectsAsync(string owner, string id, CancellationToken cancellationToken) =>
        OnWorkerAsync(owner, id, (worker, ct) => worker.ListObjectsAsync(ct), cancellationToken);

    public Task<byte[]> GetObjectAsync(string owner, string id, string name, CancellationToken cancellationToken) =>
        OnWorkerAsync(owner, id, (worker, ct) => worker.GetObjectAsync(name, ct), cancellationToken);

    public async Task SetObjectAsync(string owner, string id, string name, Stream content, CancellationToken cancellationToken)
    {
        var session = Live(Get(owner, id));
        using var buffer = new MemoryStream();
        await CopyBoundedAsync(content, buffer, "The object", cancellationToken);
        await OnWorkerAsync(session, (worker, ct) => DoneAsync(worker.SetObjectAsync(name, buffer.ToArray(), ct)), cancellationToken);
    }

    public Task DeleteObjectAsync(string owner, string id, string name, CancellationToken cancellationToken) =>
        OnWorkerAsync(owner, id, (worker, ct) => DoneAsync(worker.DeleteObjectAsync(name, ct)), cancellationToken);

    /// <summary>The names of the files in the session's working directory.</summary>
    /// <remarks>The directory is user code's: only regular files count, and no link is followed.</remarks>
    public IReadOnlyList<string> ListFiles(string owner, string id) => ConfinedFiles.ListFiles(Get(owner, id).WorkingDirectory, recursive: false);

    /// <summary>An existing working-directory file, opened (never through a link user code left in its place).</summary>
    public FileStream GetFile(string owner, string id, string fileName)
    {
        var directory = Get(owner, id).WorkingDirectory;
        SessionFiles.PathOf(directory, fileName);
        return ConfinedFiles.OpenRead(directory, fileName) ?? throw FerryException.NotFound($"The session has no file '{fileName}'.");
    }

    /// <summary>Stores an uploaded file, replacing one of the same name only once it is whole.</summary>
    public async Task SaveFileAsync(string owner, string id, string fileName, Stream content, CancellationToken cancellationToken)
    {
        var path = SessionFiles.PathOf(Get(owner, id).WorkingDirectory, fileName);
        if (Directory.Exists(path))
        {
            throw FerryException.Conflict($"The working directory holds a directory named '{fileName}'; a file cannot replace it.");
        }

        var uploads = Directory.CreateDirectory(Path.Combine(Root, ".uploads")).FullName;
        var temp = Path.Combine(uploads, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await CopyBoundedAsync(content, file, $"The file '{fileName}'", cancellationToken);
            }

            ConfinedFiles.GiveToOwnerOf(Path.GetDirectoryName(path)!, temp);
            try
            {
                File.Move(temp, path, overwrite: true); // a rename replaces whatever entry is there; it follows no link
            }
            catch (IOException) when (Directory.Exists(path))
            {
                throw FerryException.Conflict($"The session's working directory has a directory named '{fileName}'; a file cannot replace it.");
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void DeleteFile(string owner, string id, string fileName)
    {
        using (GetFile(owner, id, fileName))
        {
            // it is there
        }

        File.Delete(SessionFiles.PathOf(Get(owner, id).WorkingDirectory, fileName)); // removes the entry itself, a link included
    }

    /// <summary>Ends the session: its worker stops, its working directory is removed.</summary>
    public async Task CloseAsync(string owner, string id)
    {
        var session = Get(owner, id);
        if (sessions.TryRemove(id, out _))
        {
            await EndAsync(session);
            await placements.RemoveAsync(id, CancellationToken.None);
        }
    }

    /// <summary>Closes the sessions idle for longer than the limit; returns how many.</summary>
    public async Task<int> CloseIdleAsync()
    {
        var cutoff = time.GetUtcNow() - options.Value.IdleTimeout;
        var closed = 0;
        foreach (var session in sessions.Values.Where(s => !s.InUse && s.LastActivity < cutoff))
        {
            if (sessions.TryRemove(new KeyValuePair<string, Session>(session.Id, session)))
            {
                await EndAsync(session);
                await placements.RemoveAsync(session.Id, CancellationToken.None);
                closed++;
            }
        }

        return closed;
    }

    /// <summary>
    /// Forgets the sessions of nodes that are gone (stopped, or started again) once they have answered 410 for
    /// as long as an idle session would have lived; returns how many.
    /// </summary>
    public Task<int> ForgetGoneNodesAsync() => placements.SweepGoneAsync(time.GetUtcNow(), options.Value.IdleTimeout, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var session in sessions.Values)
        {
            await EndAsync(session);
        }

        sessions.Clear();
    }

    private static Session Live(Session session) =>
        session.Worker.IsAlive
            ? session
            : throw new FerryException(FerryErrorKind.Gone, $"Session '{session.Id}' has ended: its interpreter is no longer running. Close it and create a new one.");

    private static async Task<bool> DoneAsync(Task task)
    {
        await task;
        return true;
    }

    private Task<T> OnWorkerAsync<T>(string owner, string id, Func<IWorker, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        OnWorkerAsync(Live(Get(owner, id)), call, cancellationToken);

    /// <summary>Runs <paramref name="call"/> on the caller's session's worker, one at a time with its executions.</summary>
    public Task<T> WithWorkerAsync<T>(string owner, string id, Func<Session, IWorker, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var session = Live(Get(owner, id));
        return OnWorkerAsync(session, (worker, ct) => call(session, worker, ct), cancellationToken);
    }

    /// <summary>A workspace call: one at a time with executions, and a worker that dies answers 410.</summary>
    private async Task<T> OnWorkerAsync<T>(Session session, Func<IWorker, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var scope = session.BeginCall(time);
        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            return await call(Live(session).Worker, cancellationToken);
        }
        catch (WorkerDiedException died)
        {
            throw new FerryException(FerryErrorKind.Gone, $"Session '{session.Id}' has ended: {died.Message}");
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task CopyBoundedAsync(Stream from, Stream to, string what, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw new FerryException(FerryErrorKind.PayloadTooLarge, $"{what} is larger than the limit of {limit} bytes.");
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static async Task EndAsync(Session session)
    {
        await session.Worker.DisposeAsync();
        _ = ConfinedFiles.TryDeleteTree(session.WorkingDirectory);
    }
}
