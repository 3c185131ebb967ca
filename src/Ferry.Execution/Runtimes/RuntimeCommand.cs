namespace Ferry.Execution.Runtimes;

/// <summary>A program as the sandboxed process sees it, its arguments, and variables added to its environment.</summary>
public sealed record RuntimeCommand(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);
