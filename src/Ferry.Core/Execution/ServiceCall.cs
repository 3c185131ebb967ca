namespace Ferry.Core.Execution;

/// <summary>One call of a service: its inputs, the outputs and working-directory files it answers with.</summary>
public sealed record ServiceCall(IReadOnlyList<InputValue> Inputs, IReadOnlyList<OutputSpec> Outputs, IReadOnlyList<string> OutputFiles)
{
    /// <summary>
    /// A batch record: it never waits behind a running call on a worker, queues behind every
    /// interactive call, and has no queue deadline (it waits its turn rather than fail with 503).
    /// </summary>
    public bool Background { get; init; }
}
