using System.Globalization;
using Ferry.Core.Errors;
using Ferry.Core.Execution;
using Ferry.Execution.Processes;
using Ferry.Execution.Runtimes.Python;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Runtimes.R;

/// <summary>
/// R: Debian's <c>Rscript</c> with jsonlite; probed once, then cached. R has no threads and opens no
/// Unix socket, so its worker (ferry_worker.R) runs behind ferry_relay.py, a small Python process in
/// the same sandbox that holds the two channels, passes frames over pipes one request at a time, and
/// turns an interrupt into SIGINT for the request R is running.
/// </summary>
public sealed class RRuntime : IRuntime
{
    private const string InstallHint = "apt-get install -y r-base-core r-cran-jsonlite";

    private const string ProbeScript = """
        cat(paste(R.version$major, R.version$minor, sep = "."), "\n", sep = "")
        cat(if (requireNamespace("jsonlite", quietly = TRUE)) as.character(packageVersion("jsonlite")) else "", "\n", sep = "")
        cat(file.path(R.home("bin"), "Rscript"), "\n", sep = "")
        """;

    private readonly Lazy<Task<RuntimeInfo>> probe;
    private string? relayInterpreter;

    public RRuntime(PythonRuntime python, IOptions<ROptions>? options = null) =>
        probe = new(() => ProbeAsync(python, options?.Value.Interpreter));

    public RuntimeType Type => RuntimeType.R;

    public string ScriptExtension => ".R";

    public bool ExecutesMany => false;

    public bool Forks => false;

    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public Task<RuntimeInfo> GetAsync() => probe.Value;

    /// <summary>The relay needs only Python's standard library: whatever interpreter the Python probe found.</summary>
    public RuntimeCommand Worker(RuntimeInfo info, SandboxLayout layout, string channel, int memoryLimitMb) =>
        new(
            relayInterpreter ?? throw new InvalidOperationException("The R runtime was not probed."),
            ["-u", $"{layout.Runtimes}/R/ferry_relay.py", channel, memoryLimitMb.ToString(CultureInfo.InvariantCulture), info.Path!]);

    public RuntimeCommand Run(RuntimeInfo info, SandboxLayout layout, string script, IReadOnlyList<string> arguments) =>
        new(info.Path!, ["--vanilla", script, .. arguments]);

    public ScoringCode Scoring(ScoringScriptEntry entry) =>
        throw FerryException.BadRequest("Online deployments run Python scoring scripts (score.py with init() and run()); R is for ML Server web services.");

    private async Task<RuntimeInfo> ProbeAsync(PythonRuntime relay, string? configured)
    {
        relayInterpreter = (await relay.GetAsync()).Path;
        if (relayInterpreter is null)
        {
            return new RuntimeInfo("R", null, null, new Dictionary<string, string?>(), "R's worker runs behind a Python 3 relay, and no Python 3 interpreter was found. Install it: apt-get install -y python3");
        }

        var interpreter = !string.IsNullOrWhiteSpace(configured) ? configured
            : System.Environment.GetEnvironmentVariable("FERRY_RSCRIPT") is { Length: > 0 } fromEnvironment ? fromEnvironment : "Rscript";
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
