namespace Ferry.Core.Execution;

/// <summary>What to run: code, inputs bound as variables first, the outputs and files to send back.</summary>
public sealed record ExecutionRequest(string Code, IReadOnlyList<InputValue> Inputs, IReadOnlyList<OutputSpec> Outputs)
{
    /// <summary>Working-directory files returned base64-encoded (a web service's outputFileNames).</summary>
    public IReadOnlyList<string> OutputFiles { get; init; } = [];

    /// <summary>Runs in a copy of the workspace, leaving no variables behind (a web service call).</summary>
    public bool Isolated { get; init; }

    /// <summary>
    /// A <see cref="System.Diagnostics.Stopwatch"/> timestamp: a call that has not started by then is
    /// refused unrun with 503 (a web service call waiting behind a slower one past the queue's deadline).
    /// </summary>
    public long? StartBy { get; init; }

    /// <summary>The CPUs a background execution (a batch's chunk) may run on; null: any the server may.</summary>
    public IReadOnlyList<int>? Cpus { get; init; }
}
