using Ferry.Execution.Processes;

namespace Ferry.Execution.Runtimes.R;

/// <summary>Finds <c>Rscript</c> and whether it has jsonlite; probed once, then cached.</summary>
public sealed class RRuntime
{
    private const string InstallHint = "apt-get install -y r-base-core r-cran-jsonlite";

    private const string ProbeScript = """
        cat(paste(R.version$major, R.version$minor, sep = "."), "\n", sep = "")
        cat(if (requireNamespace("jsonlite", quietly = TRUE)) as.character(packageVersion("jsonlite")) else "", "\n", sep = "")
        cat(file.path(R.home("bin"), "Rscript"), "\n", sep = "")
        """;

    private readonly Lazy<Task<RuntimeInfo>> probe = new(ProbeAsync);

    public Task<RuntimeInfo> GetAsync() => probe.Value;

    private static async Task<RuntimeInfo> ProbeAsync()
    {
        var interpreter = Environment.GetEnvironmentVariable("FERRY_RSCRIPT") is { Length: > 0 } configured ? configured : "Rscript";
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync(interpreter, ["-e", ProbeScript], TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new RuntimeInfo("R", null, null, new Dictionary<string, string?>(), $"Rscript not found. Install it: {InstallHint}");
        }

        var lines = result.StandardOutput.Split('\n');
        if (result.ExitCode != 0 || lines.Length < 3)
        {
            return new RuntimeInfo("R", null, null, new Dictionary<string, string?>(), $"Rscript did not run: {result.StandardError.Trim()}");
        }

        var jsonlite = lines[1].Trim() is { Length: > 0 } v ? v : null;
        var libraries = new Dictionary<string, string?> { ["jsonlite"] = jsonlite };
        return new RuntimeInfo("R", lines[2].Trim(), lines[0].Trim(), libraries, jsonlite is null ? $"Missing R package jsonlite. Install it: {InstallHint}" : null);
    }
}
