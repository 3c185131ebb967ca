namespace Ferry.Server.Snapshots;

/// <summary>The contract's <c>CreateSnapshotRequest</c>.</summary>
public sealed record CreateSnapshotRequest(string? Name);
