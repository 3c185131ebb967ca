namespace Ferry.Core.Nodes;

/// <summary>This node's part in a deployment of several (section <c>Ferry:Node</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Ferry:Node";

    public NodeRole Role { get; set; } = NodeRole.All;

    /// <summary>
    /// A compute node's address as web nodes reach it (e.g. <c>http://10.0.0.4:12805</c>): what it records
    /// for the sessions it holds, so any web node finds them. By default the first address it listens on.
    /// </summary>
    public string? AdvertisedUrl { get; set; }

    /// <summary>How often a web node checks each compute node.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a web node waits for a compute node's health answer before counting it down.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// On Kubernetes: the compute nodes' headless Service. When set, a web node takes the compute nodes
    /// from that Service's endpoints (through the Kubernetes API) instead of the <c>/computenodes</c> list.
    /// </summary>
    public string? KubernetesService { get; set; }

    /// <summary>The namespace of <see cref="KubernetesService"/>; by default the pod's own.</summary>
    public string? KubernetesNamespace { get; set; }
}
