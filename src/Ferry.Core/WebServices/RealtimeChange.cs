using Ferry.Core.Execution;

namespace Ferry.Core.WebServices;

/// <summary>
/// What a realtime publish or patch sends: the model as a file on disk (moved into the blob store
/// when accepted), and on a patch, what is null stays as it was.
/// </summary>
public sealed record RealtimeChange(string? ModelFile, string? Description, string? OperationId, RealtimeBatching? Batching);
