using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Microsoft.Extensions.Options;

namespace Ferry.Core.Sessions;

/// <summary>
/// Creates, runs and ends remote sessions. A session is visible to its owner only: to anyone else it
/// does not exist (404). A session whose worker died answers 410 from then on.
/// </summary>
public sealed class SessionService(IWorkerFactory workers, IOptions<RemoteSessionOptions> options, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Session> sessions = new();

    public async Task<Session> CreateAsync(string owner, string? name, RuntimeType runtime, CancellationToken cancellationToken)
    {
        if (sessions.Values.Count(s => s.Owner == owner) >= options.Value.MaxSessionsPerUser)
        {
            throw FerryException.TooManyRequests(
                $"You have {options.Value.MaxSessionsPerUser} open sessions, the most allowed; close one first.", TimeSpan.FromSeconds(1));
        }

        var id = Guid.NewGuid().ToString("D");
        var directory = Path.Combine(Path.GetFullPath(options.Value.Directory), id);
        Directory.CreateDirectory(directory);
        try
        {
            var worker = await workers.StartAsync(runtime, directory, cancellationToken);
            var session = new Session(id, string.IsNullOrWhiteSpace(name) ? id : name, owner, runtime, directory, worker, time.GetUtcNow());
            sessions[id] = session;
            return session;
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public IReadOnlyList<Session> List(string owner) =>
        [.. sessions.Values.Where(s => s.Owner == owner).OrderBy(s => s.CreatedAt)];

    public Session Get(string owner, string id) =>
        sessions.TryGetValue(id, out var session) && session.Owner == owner
            ? session
            : throw FerryException.NotFound($"There is no session '{id}'. Sessions end when they are closed or the server restarts.");

    public async Task<ExecutionResult> ExecuteAsync(
        string owner, string id, string? code, IReadOnlyList<(string Name, JsonNode? Value)> inputs, IReadOnlyList<string> outputs, CancellationToken cancellationToken)
    {
        if (code is null)
        {
            throw FerryException.BadRequest("'code' is required.");
        }

        var duplicate = inputs.GroupBy(i => i.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null || inputs.Any(i => string.IsNullOrEmpty(i.Name)))
        {
            throw FerryException.BadRequest(duplicate is null ? "Every input parameter needs a 'name'." : $"Input parameter '{duplicate.Key}' is given twice.");
        }

        var session = Live(Get(owner, id));
        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            session.Record(code);
            ExecutionResult result;
            try
            {
                result = await Live(session).Worker.ExecuteAsync(code, inputs, outputs, cancellationToken);
            }
            catch (WorkerDiedException died)
            {
                // The user's code ended the interpreter: a failed execution, and the session is gone.
                result = new ExecutionResult(false, died.Message, "", [], []);
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

    /// <summary>Ends the session: its worker stops, its working directory is removed.</summary>
    public async Task CloseAsync(string owner, string id)
    {
        var session = Get(owner, id);
        if (sessions.TryRemove(id, out _))
        {
            await EndAsync(session);
        }
    }

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

    private static async Task EndAsync(Session session)
    {
        await session.Worker.DisposeAsync();
        try
        {
            Directory.Delete(session.WorkingDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // already gone
        }
    }
}
