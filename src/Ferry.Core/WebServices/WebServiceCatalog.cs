using Ferry.Core.Execution;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ferry.Core.Errors;
using Ferry.Core.Sessions;
using Ferry.Core.Snapshots;
using Ferry.Core.Users;

namespace Ferry.Core.WebServices;

/// <summary>
/// Publishes, patches, lists and deletes web services with ML Server's role rules: Readers list and
/// consume; Contributors publish, and update or delete only what they published; Owners do all.
/// Every definition is held in memory (consuming reads no row); the store is written first, in one
/// transaction, and the memory and the pools follow.
/// </summary>
public sealed partial class WebServiceCatalog(IWebServiceStore store, ISnapshotStore snapshots, IServiceRunner runner, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<(string Name, string Version), WebService> services = new();
    private readonly ConcurrentDictionary<(string Name, string Version), long> order = new();
    private readonly SemaphoreSlim writes = new(1, 1);
    private long published;

    /// <summary>Reads every published version into memory and warms their pools (at start-up).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var service in await store.ListAsync(cancellationToken))
        {
            Keep(service);
            runner.Refresh(service.Definition);
        }
    }

    /// <summary>All versions, in publishing order (clients take the last as the latest).</summary>
    public IReadOnlyList<WebService> List(string? name = null) =>
        [.. services.Values.Where(s => name is null || s.Name == name).OrderBy(s => order.GetValueOrDefault((s.Name, s.Version)))];

    public WebService Get(string name, string version) =>
        services.TryGetValue((name, version), out var service)
            ? service
            : throw FerryException.NotFound($"There is no web service '{name}' version '{version}'.");

    /// <summary>The version if it is published (no exception: for loops that look often).</summary>
    public bool TryGet(string name, string version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebService? service) =>
        services.TryGetValue((name, version), out service);

    public void Dispose() => writes.Dispose();

    public static string PermissionOf(WebService service, Caller caller) => MayChange(service, caller) ? "read/write" : "read only";

    public async Task<WebService> PublishAsync(Caller caller, string name, string? version, WebServiceChange request, CancellationToken cancellationToken)
    {
        if (caller.Role < Role.Contributor)
        {
            throw FerryException.Forbidden($"Publishing needs the Contributor role; you are a {caller.Role}.");
        }

        version ??= Guid.NewGuid().ToString("D");
        CheckName("name", name);
        CheckName("version", version);
        if (request.Code is null)
        {
            throw FerryException.BadRequest("'code' is required.");
        }

        await writes.WaitAsync(cancellationToken);
        try
        {
            var other = services.Values.FirstOrDefault(s => s.Name == name && s.PublishedBy != caller.Name);
            if (other is not null && caller.Role < Role.Owner)
            {
                throw FerryException.Forbidden($"The web service '{name}' belongs to '{other.PublishedBy}'; only they or an Owner can publish versions of it.");
            }

            if (services.ContainsKey((name, version)))
            {
                throw FerryException.Conflict($"The web service '{name}' version '{version}' exists already; publish another version or patch this one.");
            }

            var service = await ValidatedAsync(
                new WebService(name, version, caller.Name, time.GetUtcNow(), null, request.Runtime ?? RuntimeType.R, "", request.Code, "", null, [], [], [], null, null, 0),
                request,
                caller,
                cancellationToken);
            if (!await store.TryAddAsync(service, cancellationToken))
            {
                throw FerryException.Conflict($"The web service '{name}' version '{version}' exists already; publish another version or patch this one.");
            }

            Keep(service);
            runner.Refresh(service.Definition);
            return service;
        }
        finally
        {
            writes.Release();
        }
    }

    public Task<WebService> PatchAsync(Caller caller, string name, string version, WebServiceChange request, CancellationToken cancellationToken) =>
        ReplaceAsync(
            async () =>
            {
                var current = Changeable(caller, name, version, "update");
                return await ValidatedAsync(current with { Revision = current.Revision + 1 }, request, caller, cancellationToken);
            },
            cancellationToken);

    public async Task DeleteAsync(Caller caller, string name, string version, CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            Changeable(caller, name, version, "delete");
            await store.DeleteAsync(name, version, cancellationToken);
            services.TryRemove((name, version), out _);
            order.TryRemove((name, version), out _);
            runner.Remove(name, version);
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>Sets (or with null, removes) the dedicated pool's size; Owners only, checked by the caller.</summary>
    public async Task<WebService> SetPoolAsync(string name, string version, PoolSize? pool, CancellationToken cancellationToken)
    {
        var limit = runner.MaxWorkersPerService;
        if (pool is not null && (pool.Initial < 0 || pool.Max < 1 || pool.Initial > pool.Max || pool.Max > limit))
        {
            throw FerryException.BadRequest(
                $"Pool sizes need 0 <= InitialPoolSize <= MaxPoolSize and 1 <= MaxPoolSize <= {limit} (a publisher's share of this server's workers); got {pool.Initial} and {pool.Max}.");
        }

        return await ReplaceAsync(() => Task.FromResult(Get(name, version) with { Pool = pool }), cancellationToken);
    }

    /// <summary>One change to an existing version: the store first, then memory and the pool.</summary>
    private async Task<WebService> ReplaceAsync(Func<Task<WebService>> change, CancellationToken cancellationToken)
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            var service = await change();
            await store.UpdateAsync(service, cancellationToken);
            services[(service.Name, service.Version)] = service;
            runner.Refresh(service.Definition);
            return service;
        }
        finally
        {
            writes.Release();
        }
    }

    /// <summary>Holds a new version in memory, after the ones published before it.</summary>
    private void Keep(WebService service)
    {
        order[(service.Name, service.Version)] = Interlocked.Increment(ref published);
        services[(service.Name, service.Version)] = service;
    }

    private static bool MayChange(WebService service, Caller caller) =>
        caller.Role == Role.Owner || (caller.Role == Role.Contributor && service.PublishedBy == caller.Name);

    private WebService Changeable(Caller caller, string name, string version, string what)
    {
        var service = Get(name, version);
        return MayChange(service, caller)
            ? service
            : throw FerryException.Forbidden(caller.Role == Role.Reader
                ? $"Readers cannot {what} web services."
                : $"Only '{service.PublishedBy}', who published '{name}' version '{version}', or an Owner can {what} it.");
    }

    /// <summary>Applies a publish or patch request to <paramref name="service"/>, refusing anything invalid with a 400.</summary>
    private async Task<WebService> ValidatedAsync(WebService service, WebServiceChange request, Caller caller, CancellationToken cancellationToken)
    {
        service = service with
        {
            Code = request.Code ?? service.Code,
            Description = request.Description ?? service.Description,
            InitCode = request.InitCode ?? service.InitCode,
            OperationId = request.OperationId is null ? service.OperationId : request.OperationId.Length == 0 ? null : request.OperationId,
            Inputs = request.Inputs ?? service.Inputs,
            Outputs = request.Outputs ?? service.Outputs,
            OutputFileNames = request.OutputFileNames ?? service.OutputFileNames,
        };
        if (request.Runtime is { } runtime && runtime != service.Runtime && service.Revision > 0)
        {
            throw FerryException.BadRequest($"A web service's runtimeType cannot change ({service.Runtime}); publish a new version instead.");
        }

        await runner.EnsureRuntimeAsync(service.Runtime); // one this server lacks is a 400 naming what to install

        if (service.OperationId is { } operationId && !Identifier().IsMatch(operationId))
        {
            throw FerryException.BadRequest($"operationId '{operationId}' must be a name of letters, digits and underscores.");
        }

        CheckParameters("inputParameterDefinitions", service.Inputs);
        CheckParameters("outputParameterDefinitions", service.Outputs);
        foreach (var file in service.OutputFileNames)
        {
            SessionFiles.PathOf("/", file);
        }

        if (!string.IsNullOrEmpty(request.SnapshotId))
        {
            var snapshot = await snapshots.FindAsync(request.SnapshotId, cancellationToken);
            if (snapshot is null || snapshot.Owner != caller.Name)
            {
                throw FerryException.BadRequest($"There is no snapshot '{request.SnapshotId}' of yours to publish with.");
            }

            if (snapshot.Runtime != service.Runtime)
            {
                throw FerryException.BadRequest($"Snapshot '{snapshot.Id}' is of a {snapshot.Runtime} session; the service runs {service.Runtime}.");
            }

            service = service with { SnapshotId = snapshot.Id, ContentHash = snapshot.ContentHash };
        }

        return service;
    }

    private static void CheckName(string what, string value)
    {
        if (!ServiceName().IsMatch(value))
        {
            throw FerryException.BadRequest($"The {what} '{value}' is not valid: use letters, digits, '.', '-' and '_' (at most 100), starting with a letter or digit.");
        }
    }

    private static void CheckParameters(string field, IReadOnlyList<ParameterDefinition> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (parameter is null || string.IsNullOrEmpty(parameter.Name) || !Identifier().IsMatch(parameter.Name))
            {
                throw FerryException.BadRequest($"Every entry of {field} needs a 'name' that is a valid variable name; got '{parameter?.Name}'.");
            }

            if (!ParameterTypes.IsKnown(parameter.Type))
            {
                throw FerryException.BadRequest($"{field}: '{parameter.Name}' has the unknown type '{parameter.Type}'; use one of {string.Join(", ", ParameterTypes.All)}.");
            }
        }

        var duplicate = parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw FerryException.BadRequest($"{field}: '{duplicate.Key}' is declared twice.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\z")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex Identifier();
}
