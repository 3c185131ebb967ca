namespace Ferry.Core.Batches;

/// <summary>One input record of a batch (its JSON text), by its position in the posted array.</summary>
public sealed record BatchRecord(int Index, string Input);
