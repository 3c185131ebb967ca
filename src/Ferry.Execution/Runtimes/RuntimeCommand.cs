namespace Ferry.Execution.Runtimes;

/// <summary>A program as the sandboxed process sees it, and its arguments.</summary>
public sealed record RuntimeCommand(string Program, IReadOnlyList<string> Arguments);
