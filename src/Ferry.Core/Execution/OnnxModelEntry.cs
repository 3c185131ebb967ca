namespace Ferry.Core.Execution;

/// <summary>
/// A realtime service: an ONNX model scored in-process, no interpreter in the request path. The
/// model's bytes are the blob <paramref name="ModelHash"/>; concurrent calls are batched within <paramref name="Batching"/>.
/// </summary>
public sealed record OnnxModelEntry(string ModelHash, RealtimeBatching? Batching) : ServiceEntry;
