using System.Diagnostics.CodeAnalysis;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Core.Files;
using Microsoft.Extensions.Logging;

namespace Ferry.Execution.Pools;

/// <summary>
/// For each service version whose runtime forks, the template its pool's workers are copies of: a
/// worker prepared once (files, workspace, initCode) that serves no calls. A pool grows by a fork of
/// it instead of an interpreter's start, imports and preparation, and its workers share the
/// template's memory until they write it. Copies live in the template's sandbox, so a template lives
/// while any copy of it does, and goes with its last one (a pool shrunk to nothing keeps no template);
/// a new revision gets a new template, the old one staying for the old copies still finishing.
/// With <paramref name="spareCopy"/>, a template keeps one copy made ahead: a pool grows by taking it
/// (no fork on the way), and the next is forked in the background.
/// </summary>
internal sealed partial class ServiceTemplates(
    Func<ServiceDefinition, CancellationToken, Task<(IWorker Worker, string Directory)>> prepare, bool spareCopy, ILogger logger) : IAsyncDisposable
{
    /// <summary>Names the copies' directories in their template's; the worker makes no other.</summary>
    public const string CopyPrefix = ".ferry-copy-";

    private readonly Dictionary<(string Name, string Version), Slot> current = []; // under its own lock

    /// <summary>A new worker for <paramref name="service"/>, forked from its revision's template (made first if need be).</summary>
    public async Task<PreparedWorker> ForkAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var template = await AcquireAsync(service, cancellationToken);
            try
            {
                var (copy, directory) = await template.TakeSpareAsync() ?? await ForkCopyAsync(template.Worker, cancellationToken);
                if (spareCopy)
                {
                    template.MakeSpare();
                }

                return new PreparedWorker(copy, service.Revision, directory, () => ReleaseAsync(template));
            }
            catch (Exception ex) when (ex is WorkerDiedException or FerryException && !cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync(template);
                if (attempt == 1 && !template.Worker.IsAlive)
                {
                    continue; // the template died (its copies with it): another is made
                }

                // It could not fork (the sandbox's process limit, say): this worker is prepared on its own.
                LogForkFailed(logger, service.Name, service.Version, ex.Message);
                var (worker, own) = await prepare(service, cancellationToken);
                return new PreparedWorker(worker, service.Revision, own);
            }
            catch
            {
                await ReleaseAsync(template);
                throw;
            }
        }
    }

    /// <summary>A new copy of <paramref name="template"/>, in a directory of its own inside the template's.</summary>
    private static async Task<(IWorker Worker, string Directory)> ForkCopyAsync(IWorker template, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(template.WorkingDirectory, CopyPrefix + Guid.NewGuid().ToString("N"));
        return (await template.ForkAsync(directory, cancellationToken), directory);
    }

    public async ValueTask DisposeAsync()
    {
        Template?[] left;
        lock (current)
        {
            left = [.. current.Values.Select(slot => slot.Made)];
            current.Clear();
        }

        foreach (var template in left)
        {
            if (template is not null)
            {
                await template.DisposeAsync();
            }
        }
    }

    /// <summary>The current template of the service's revision, counted as in use by one more copy.</summary>
    private async Task<Template> AcquireAsync(ServiceDefinition service, CancellationToken cancellationToken)
    {
        var key = (service.Name, service.Version);
        while (true)
        {
            Slot? slot;
            Template? idle = null;
            lock (current)
            {
                if (!current.TryGetValue(key, out slot) || slot.Making.IsFaulted || slot.Making.IsCanceled
                    || slot.Revision != service.Revision || slot.Made is { } made && !made.Worker.IsAlive)
                {
                    if (slot is not null)
                    {
                        idle = Abandon(slot); // an older revision's, or a dead one
                    }

                    // Made for whoever comes: not tied to this caller's cancellation.
                    slot = new Slot { Revision = service.Revision };
                    slot.Making = CreateAsync(slot, service);
                    current[key] = slot;
                }
            }

            if (idle is not null)
            {
                await idle.DisposeAsync();
            }

            var template = await slot.Making.WaitAsync(cancellationToken);
            lock (current)
            {
                if (!template.Released && template.Revision == service.Revision) // another revision's may have replaced it meanwhile
                {
                    template.Copies++;
                    return template;
                }
            }
        }
    }

    private async Task<Template> CreateAsync(Slot slot, ServiceDefinition service)
    {
        await Task.Yield(); // made outside the caller's lock
        var (worker, directory) = await prepare(service, CancellationToken.None);
        var template = new Template((service.Name, service.Version), worker, service.Revision, directory);
        lock (current)
        {
            slot.Made = template;
            if (!slot.Abandoned)
            {
                return template;
            }

            template.Released = true; // its version went while it was made: whoever waited for it makes another
        }

        await template.DisposeAsync();
        return template;
    }

    /// <summary>
    /// The version is gone (deleted): its template goes now if no copy uses it, else with its last
    /// copy; one still being made goes once made.
    /// </summary>
    public void Forget(string name, string version)
    {
        Template? idle;
        lock (current)
        {
            if (!current.Remove((name, version), out var slot))
            {
                return;
            }

            idle = Abandon(slot);
        }

        if (idle is not null)
        {
            _ = Task.Run(() => idle.DisposeAsync().AsTask());
        }
    }

    /// <summary>Under the lock: a slot no longer current; its template, if made and unused, is returned to be disposed.</summary>
    private static Template? Abandon(Slot slot)
    {
        slot.Abandoned = true;
        if (slot.Made is { Copies: 0, Released: false } made)
        {
            made.Released = true;
            return made;
        }

        return null;
    }

    /// <summary>One copy fewer; the last one takes the template with it.</summary>
    private async ValueTask ReleaseAsync(Template template)
    {
        lock (current)
        {
            if (--template.Copies > 0)
            {
                return;
            }

            template.Released = true;
            if (current.TryGetValue(template.Key, out var slot) && slot.Made == template)
            {
                current.Remove(template.Key);
            }
        }

        await template.DisposeAsync();
    }

    /// <summary>
    /// What a spare's fork made, or null if there was none or the fork failed in any way: a copy is then forked
    /// when needed, and reports its failure there if it must.
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A spare is an optimization: whatever kept it from being made, the fork on demand reports.")]
    private static async Task<(IWorker Worker, string Directory)?> CompletedAsync(Task<(IWorker Worker, string Directory)>? fork)
    {
        if (fork is null)
        {
            return null;
        }

        try
        {
            return await fork;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>A spare not to be used (dead, or its template going): its process and its directory.</summary>
    private static async Task DiscardAsync((IWorker Worker, string Directory) spare)
    {
        await spare.Worker.DisposeAsync();
        _ = ConfinedFiles.TryDeleteTree(spare.Directory); // gone already, or going with its template's directory
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The template of web service {Name} {Version} could not fork a worker ({Reason}); one is prepared on its own")]
    private static partial void LogForkFailed(ILogger logger, string name, string version, string reason);

    /// <summary>A template being made, then made; under the templates' lock.</summary>
    private sealed class Slot
    {
        public Task<Template> Making { get; set; } = null!; // set as soon as it is made

        /// <summary>The revision of the service it is made of: copies of it serve that revision's calls only.</summary>
        public required long Revision { get; init; }

        public Template? Made { get; set; }

        /// <summary>Replaced or forgotten: what it makes is not kept.</summary>
        public bool Abandoned { get; set; }
    }

    private sealed class Template((string Name, string Version) key, IWorker worker, long revision, string directory) : IAsyncDisposable
    {
        private readonly Lock gate = new();
        private readonly CancellationTokenSource ending = new(); // stops a spare's fork when the template goes
        private bool disposed; // under the gate
        private Task<(IWorker Worker, string Directory)>? spare; // the copy made ahead; under the gate

        public (string Name, string Version) Key { get; } = key;

        public IWorker Worker { get; } = worker;

        public long Revision { get; } = revision;

        /// <summary>Copies made and not yet gone; under the templates' lock.</summary>
        public int Copies { get; set; }

        /// <summary>Its last copy went: it takes no more; under the templates' lock.</summary>
        public bool Released { get; set; }

        /// <summary>Starts forking a spare copy in the background, unless one is made or being made.</summary>
        public void MakeSpare()
        {
            lock (gate)
            {
                if (!disposed && spare is null)
                {
                    spare = Task.Run(() => ForkCopyAsync(Worker, ending.Token));
                }
            }
        }

        /// <summary>The spare copy (waited for if still being forked); null when there is none, or it failed or died.</summary>
        public async Task<(IWorker Worker, string Directory)?> TakeSpareAsync()
        {
            Task<(IWorker Worker, string Directory)>? taken;
            lock (gate)
            {
                (taken, spare) = (spare, null);
            }

            if (await CompletedAsync(taken) is not { } made)
            {
                return null;
            }

            if (made.Worker.IsAlive)
            {
                return made;
            }

            await DiscardAsync(made);
            return null;
        }

        public async ValueTask DisposeAsync()
        {
            Task<(IWorker Worker, string Directory)>? left;
            lock (gate)
            {
                if (disposed)
                {
                    return; // the server's end and its last copy's may both come
                }

                disposed = true;
                (left, spare) = (spare, null);
            }

            try
            {
                await ending.CancelAsync();
                if (await CompletedAsync(left) is { } unused)
                {
                    await DiscardAsync(unused);
                }
            }
            finally
            {
                await Worker.DisposeAsync(); // its copies (the spare among them) end with its sandbox
                _ = ConfinedFiles.TryDeleteTree(directory);

                ending.Dispose();
            }
        }
    }
}
