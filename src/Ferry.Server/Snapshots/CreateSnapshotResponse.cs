namespace Ferry.Server.Snapshots;

/// <summary>The contract's <c>CreateSnapshotResponse</c>.</summary>
public sealed record CreateSnapshotResponse(string SnapshotId);
