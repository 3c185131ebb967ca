using System.CommandLine;

namespace Ferry.Cli;

/// <summary>Options several commands share, with their environment-variable defaults.</summary>
internal static class CommonOptions
{
    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "The data directory (env FERRY_DATA_DIR; default ./ferry-data).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FERRY_DATA_DIR") is { Length: > 0 } dir ? dir : "ferry-data",
    };
}
