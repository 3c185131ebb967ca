using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Ferry.Core.ComputeNodes;
using Ferry.Core.Errors;
using Ferry.Core.Nodes;
using Ferry.Server.ComputeNodes.Internal;
using Microsoft.Extensions.Options;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// A web node's view of the compute nodes: who they are (the <c>/computenodes</c> list with its ranges
/// expanded, or on Kubernetes the endpoints of their headless Service), which answer their health check,
/// and what each holds. It picks the node for a service call or a new session, and is the one HTTP client
/// of the internal API, which carries <see cref="NodeKey"/> on every request.
/// </summary>
internal sealed partial class ComputeNodeDirectory : BackgroundService
{
    private readonly ConcurrentDictionary<string, ComputeNode> nodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly IComputeNodeStore store;
    private readonly KubernetesComputeNodes? kubernetes;
    private readonly IOptions<NodeOptions> options;
    private readonly ILogger<ComputeNodeDirectory> logger;
    private int turn;

    public ComputeNodeDirectory(IComputeNodeStore store, NodeKey key, IOptions<NodeOptions> options, ILogger<ComputeNodeDirectory> logger)
    {
        this.store = store;
        this.options = options;
        this.logger = logger;
        kubernetes = string.IsNullOrEmpty(options.Value.KubernetesService) ? null : new KubernetesComputeNodes(options.Value.KubernetesService, options.Value.KubernetesNamespace);
        Client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // calls end when their caller's request does; health checks carry their own limit
        };
        Client.DefaultRequestHeaders.Add(NodeKey.Header, key.Value);
        Client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>What forwards session requests as they came (<see cref="SessionForwarder"/> adds the node key).</summary>
    public HttpMessageInvoker Forwarding { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>The internal API's client: pooled connections, and the node key on every request.</summary>
    public HttpClient Client { get; }

    /// <summary>Every compute node known, up or not.</summary>
    public IReadOnlyList<ComputeNode> All => [.. nodes.Values];

    /// <summary>The nodes answering their health check now.</summary>
    public IReadOnlyList<ComputeNode> Up => [.. nodes.Values.Where(n => n.IsUp)];

    /// <summary>Where the compute nodes come from, for <c>/computenodes</c>: null for the stored list.</summary>
    public string? Source => kubernetes?.Description;

    public ComputeNode? Find(string url) => nodes.GetValueOrDefault(url.TrimEnd('/'));

    /// <summary>
    /// The node for a call of a version: among those up (less <paramref name="tried"/>), one holding a
    /// worker of it, with the fewest calls from here in flight; with none warm, the least busy. For a new
    /// session (no version), the node holding the fewest sessions. Null when none is up.
    /// </summary>
    public ComputeNode? Pick(string? name, string? version, IReadOnlyCollection<ComputeNode> tried)
    {
        var up = nodes.Values.Where(n => n.IsUp && !tried.Contains(n)).ToList();
        if (up.Count == 0)
        {
            return null;
        }

        var warm = name is null ? [] : up.Where(n => n.IsWarmFor(name, version!)).ToList();
        var candidates = warm.Count > 0 ? warm : up;
        Func<ComputeNode, int> load = name is null ? n => n.Report?.Sessions ?? 0 : n => n.InFlight; // a new session: the node holding fewest
        var loads = candidates.Select(n => (Node: n, Load: load(n))).ToList(); // read once: calls start and end meanwhile
        var fewest = loads.Min(l => l.Load);
        var least = loads.Where(l => l.Load == fewest).Select(l => l.Node).ToList();
        return least[(int)((uint)Interlocked.Increment(ref turn) % (uint)least.Count)]; // ties in turn
    }

    /// <summary>A node that refused a connection is down until its next health answer.</summary>
    public void MarkDown(ComputeNode node)
    {
        if (node.IsUp)
        {
            LogNodeDown(logger, node.Address, "it refused a call");
        }

        node.Down();
    }

    /// <summary>Reads the node list and checks every node.</summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> listed;
        try
        {
            listed = kubernetes is null ? ComputeNodeService.Expand(await store.ListAsync(cancellationToken)) : await kubernetes.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogListFailed(logger, e.Message);
            return; // keep the nodes known until the list can be read again
        }

        var current = listed.Select(u => u.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var gone in nodes.Keys.Where(k => !current.Contains(k)))
        {
            nodes.TryRemove(gone, out _);
        }

        foreach (var url in current)
        {
            if (ComputeNodeService.NodeUri(url) is { } address)
            {
                nodes.GetOrAdd(url, _ => new ComputeNode(address));
            }
        }

        await Task.WhenAll(nodes.Values.Select(n => CheckAsync(n, cancellationToken)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HealthInterval);
        do
        {
            await CheckAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        Client.Dispose();
        Forwarding.Dispose();
        base.Dispose();
    }

    private async Task CheckAsync(ComputeNode node, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Value.HealthTimeout);
        try
        {
            using var response = await Client.GetAsync(new Uri(node.Address, InternalEndpoints.Prefix.TrimStart('/') + "/node"), limit.Token);
            response.EnsureSuccessStatusCode();
            var report = await response.Content.ReadFromJsonAsync(InternalJson.Default.NodeReport, limit.Token)
                ?? throw new JsonException("an empty health answer");
            if (!node.IsUp)
            {
                LogNodeUp(logger, node.Address, report.Instance);
            }

            node.Answered(report);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            if (node.IsUp)
            {
                LogNodeDown(logger, node.Address, e.Message);
            }

            node.Down();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compute node {Address} is up (instance {Instance}).")]
    private static partial void LogNodeUp(ILogger logger, Uri address, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compute node {Address} is down: {Reason}")]
    private static partial void LogNodeDown(ILogger logger, Uri address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The compute node list could not be read: {Reason}")]
    private static partial void LogListFailed(ILogger logger, string reason);

    /// <summary>A 503 for calls made while no compute node answers.</summary>
    public static FerryException NoneUp() =>
        new(FerryErrorKind.Unavailable, "No compute node is answering: this web node has nowhere to run the call. Check the nodes listed at /computenodes.", TimeSpan.FromSeconds(2));
}
