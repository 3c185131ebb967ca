namespace Ferry.Core.Batches;

/// <summary>One record's stored result: the consume response's JSON (a WebServiceResult).</summary>
public sealed record BatchResult(int Index, string Result);
