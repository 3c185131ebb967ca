namespace Ferry.Execution.Runtimes;

/// <summary>What a probe found out about an interpreter.</summary>
/// <param name="Name">The runtime as the contract names it: Python or R.</param>
/// <param name="Path">The interpreter chosen, or null when none was found.</param>
/// <param name="Version">Its version, as it reports it.</param>
/// <param name="Libraries">Each library the runtime needs, with its version or null when missing.</param>
/// <param name="Problem">Why the runtime cannot be used, in a sentence that says how to fix it.</param>
public sealed record RuntimeInfo(
    string Name,
    string? Path,
    string? Version,
    IReadOnlyDictionary<string, string?> Libraries,
    string? Problem)
{
    public bool IsUsable => Path is not null && Problem is null;
}
