namespace Ferry.Server.Snapshots;

/// <summary>The contract's <c>Snapshot</c>.</summary>
public sealed record SnapshotResponse(string Id, string Name, string Owner, DateTimeOffset CreationTime, long ContentSize);
