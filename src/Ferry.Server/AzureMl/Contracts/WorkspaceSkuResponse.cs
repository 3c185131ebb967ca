namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A workspace's <c>sku</c>: Ferry reports its one tier under both names.</summary>
public sealed record WorkspaceSkuResponse(string Name, string Tier);
