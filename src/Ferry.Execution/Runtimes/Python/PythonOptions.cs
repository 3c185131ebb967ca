namespace Ferry.Execution.Runtimes.Python;

/// <summary>The Python runtime (section <c>Ferry:Python</c>).</summary>
public sealed class PythonOptions
{
    public const string Section = "Ferry:Python";

    /// <summary>
    /// The interpreter. When empty: <c>FERRY_PYTHON</c>, else <c>/usr/bin/python3</c> when it
    /// imports numpy (Debian's, with its python3-* libraries), else <c>python3</c> on PATH.
    /// </summary>
    public string? Interpreter { get; set; }
}
