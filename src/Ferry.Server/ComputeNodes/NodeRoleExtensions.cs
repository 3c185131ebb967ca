using Ferry.Core.Execution;
using Ferry.Core.Nodes;
using Ferry.Core.Runs;
using Ferry.Server.Hosting;
using Ferry.Storage;

namespace Ferry.Server.ComputeNodes;

/// <summary>What a node's role changes in its composition (<c>ferry serve --role</c>).</summary>
internal static class NodeRoleExtensions
{
    /// <summary>
    /// Reads and checks the role: web and compute nodes share a PostgreSQL database (their change
    /// notices and session placements travel through it), and a compute node advertises an address
    /// web nodes can reach (by default the one it listens on, unless that is a wildcard).
    /// </summary>
    public static NodeRole AddFerryNode(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var roleText = configuration[$"{NodeOptions.Section}:{nameof(NodeOptions.Role)}"];
        if (!Enum.TryParse<NodeRole>(string.IsNullOrEmpty(roleText) ? nameof(NodeRole.All) : roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            throw new InvalidOperationException($"--role (Ferry:Node:Role) '{roleText}' is none of all, web or compute.");
        }

        if (role == NodeRole.All)
        {
            return role;
        }

        var provider = configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"];
        if (!string.Equals(provider, nameof(StorageProvider.Postgres), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"--role {role.ToString().ToLowerInvariant()} needs the nodes' shared PostgreSQL database: set Ferry:Storage:Provider=Postgres and Ferry:Storage:ConnectionString.");
        }

        var advertisedKey = $"{NodeOptions.Section}:{nameof(NodeOptions.AdvertisedUrl)}";
        if (role == NodeRole.Compute && string.IsNullOrEmpty(configuration[advertisedKey]))
        {
            var urls = configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : FerryServerOptions.DefaultUrls;
            var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            if (!Uri.TryCreate(first, UriKind.Absolute, out var uri) || uri.Host is "0.0.0.0" or "[::]" or "*" or "+" || first.Contains("://*", StringComparison.Ordinal) || first.Contains("://+", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"A compute node listening on {first} must say how web nodes reach it: set Ferry:Node:AdvertisedUrl (e.g. http://10.0.0.4:12805).");
            }

            configuration[advertisedKey] = first.TrimEnd('/');
        }

        return role;
    }

    /// <summary>A web node: service calls, sessions and runs go to the compute nodes.</summary>
    public static IServiceCollection AddComputeNodeClient(this IServiceCollection services)
    {
        services.AddSingleton<NodeKey>();
        services.AddSingleton<ComputeNodeDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<ComputeNodeDirectory>());
        services.AddSingleton<IServiceRunner, RemoteServiceRunner>();
        services.AddSingleton<IRunDispatcher, ComputeRunDispatcher>();
        services.AddHttpForwarder();
        return services;
    }
}
