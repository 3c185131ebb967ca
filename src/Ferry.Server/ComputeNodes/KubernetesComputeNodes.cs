using k8s;

namespace Ferry.Server.ComputeNodes;

/// <summary>
/// On Kubernetes, the compute nodes are the ready endpoints of their headless Service, read through
/// the Kubernetes API with the pod's service account (EndpointSlices labelled with the Service's
/// name): scaling the compute Deployment is all an operator does, and Ferry keeps no membership of its own.
/// </summary>
internal sealed class KubernetesComputeNodes(string service, string? @namespace)
{
    private const string NamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
    private Kubernetes? client;

    public string Description => $"Kubernetes Service {Namespace}/{service}";

    private string Namespace => @namespace is { Length: > 0 } given ? given : File.Exists(NamespaceFile) ? File.ReadAllText(NamespaceFile).Trim() : "default";

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        client ??= new Kubernetes(KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile());
        var slices = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(
            Namespace, labelSelector: $"kubernetes.io/service-name={service}", cancellationToken: cancellationToken);
        var result = new List<string>();
        foreach (var slice in slices.Items)
        {
            var port = slice.Ports?.FirstOrDefault(p => p.Name == "compute") ?? slice.Ports?.FirstOrDefault();
            if (port?.Port is not { } number)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.Conditions?.Ready == false)
                {
                    continue; // not ready yet, or terminating: its probe decides, as for any Service
                }

                result.AddRange(endpoint.Addresses.Select(a => $"http://{(a.Contains(':', StringComparison.Ordinal) ? $"[{a}]" : a)}:{number}"));
            }
        }

        return result;
    }
}
