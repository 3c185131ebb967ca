namespace Ferry.Core.Execution;

/// <summary>One call of a service: its inputs, the outputs and working-directory files it answers with.</summary>
public sealed record ServiceCall(IReadOnlyList<InputValue> Inputs, IReadOnlyList<OutputSpec> Outputs, IReadOnlyList<string> OutputFiles);
