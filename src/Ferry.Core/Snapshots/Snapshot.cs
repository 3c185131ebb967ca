using Ferry.Core.Execution;

namespace Ferry.Core.Snapshots;

/// <summary>A session's workspace and working-directory files, saved as one zip in the blob store.</summary>
public sealed record Snapshot(string Id, string Name, string Owner, RuntimeType Runtime, DateTimeOffset CreationTime, long ContentSize, string ContentHash);
