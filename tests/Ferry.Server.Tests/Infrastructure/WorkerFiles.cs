namespace Ferry.Server.Tests.Infrastructure;

/// <summary>
/// Where tests meet user code: user code sees only its own working directory (the sandbox), so a
/// test finds the files it writes there, or leaves files for it there, through the data directory.
/// </summary>
internal static class WorkerFiles
{
    /// <summary>Files of this name in any worker's working directory (sessions, service workers and their templates' copies, in .ferry-copy-*, runs).</summary>
    public static IReadOnlyList<string> Find(string dataDirectory, string fileName) =>
        Directory.Exists(dataDirectory)
            ? [.. Directory.EnumerateFiles(dataDirectory, fileName, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })]
            : [];

    /// <summary>The working directory of a run.</summary>
    public static string RunDirectory(string dataDirectory, string runId) =>
        Directory.EnumerateDirectories(Path.Combine(dataDirectory, "workspaces"), runId, new EnumerationOptions { RecurseSubdirectories = true }).Single();
}
