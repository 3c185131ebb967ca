namespace Ferry.Server.ComputeNodes;

/// <summary>The contract's <c>UpdateComputeNodesRequest</c>.</summary>
public sealed record UpdateComputeNodesRequest(IReadOnlyList<string>? Entries);
