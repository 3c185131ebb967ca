using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The discovery document: where each Azure ML service lives (all of them here).</summary>
public sealed record DiscoveryResponse(
    string Api,
    string Catalog,
    string Experimentation,
    string Gallery,
    string History,
    string Hyperdrive,
    string Labeling,
    [property: JsonPropertyName("modelmanagement")] string ModelManagement,
    string Pipelines,
    [property: JsonPropertyName("studiocoreservices")] string StudioCoreServices)
{
    /// <summary>Every service at one URL.</summary>
    public static DiscoveryResponse AllAt(string url) => new(url, url, url, url, url, url, url, url, url, url);
}
