namespace Ferry.Server.ComputeNodes;

/// <summary>The contract's <c>GetComputeNodesResponse</c>.</summary>
public sealed record GetComputeNodesResponse(IReadOnlyList<string> ComputeNodes);
