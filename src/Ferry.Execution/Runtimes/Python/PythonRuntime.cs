using System.Globalization;
using System.Text.Json;
using Ferry.Core.Execution;
using Ferry.Execution.Processes;
using Ferry.Execution.Sandboxing;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Runtimes.Python;

/// <summary>Python: Debian's interpreter with numpy, scikit-learn, dill and pandas; probed once, then cached.</summary>
public sealed class PythonRuntime(IOptions<PythonOptions> options) : IRuntime
{
    /// <summary>The libraries sessions and services rely on (Debian: python3-numpy, -sklearn, -dill, -pandas).</summary>
    public static readonly IReadOnlyList<string> RequiredLibraries = ["numpy", "sklearn", "dill", "pandas"];

    private const string DebianPython = "/usr/bin/python3";
    private const string InstallHint = "apt-get install -y python3-numpy python3-sklearn python3-dill python3-pandas";

    // Prints the version and each library's version (null when it does not import) as one JSON line.
    private const string ProbeScript = """
        import importlib, json, sys
        libs = {}
        for name in sys.argv[1:]:
            try:
                libs[name] = getattr(importlib.import_module(name), '__version__', 'unknown')
            except Exception:
                libs[name] = None
        print(json.dumps({'version': sys.version.split()[0], 'executable': sys.executable, 'libs': libs}))
        """;

    private readonly Lazy<Task<RuntimeInfo>> probe = new(() => ProbeAsync(options.Value.Interpreter));

    public RuntimeType Type => RuntimeType.Python;

    public string ScriptExtension => ".py";

    public bool ExecutesMany => true;

    public bool Forks => true;

    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "1" };

    public Task<RuntimeInfo> GetAsync() => probe.Value;

    public RuntimeCommand Worker(RuntimeInfo info, SandboxLayout layout, string channel, int memoryLimitMb) =>
        new(info.Path!, ["-u", $"{layout.Runtimes}/Python/ferry_worker.py", channel, memoryLimitMb.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>ferry_run.py runs the script as <c>python script args</c> would, ignoring SIGXFSZ so that a write past the file-size limit fails instead of killing it.</summary>
    public RuntimeCommand Run(RuntimeInfo info, SandboxLayout layout, string script, IReadOnlyList<string> arguments) =>
        new(info.Path!, ["-u", $"{layout.Runtimes}/Python/ferry_run.py", script, .. arguments]);

    /// <summary>Loads the script as module <c>score</c> with AZUREML_MODEL_DIR set and calls its init(); each call answers run(raw_data).</summary>
    public ScoringCode Scoring(ScoringScriptEntry entry) => new(
        string.Join(
            '\n',
            "import os as _ferry_os, sys as _ferry_sys, importlib.util as _ferry_util",
            $"_ferry_os.environ['AZUREML_MODEL_DIR'] = _ferry_os.path.join(_ferry_os.getcwd(), {Literal(entry.ModelDirectory)})",
            "_ferry_sys.path.insert(0, _ferry_os.getcwd())",
            $"_ferry_spec = _ferry_util.spec_from_file_location('score', _ferry_os.path.join(_ferry_os.getcwd(), {Literal(entry.ScoringScript)}))",
            "_ferry_score = _ferry_util.module_from_spec(_ferry_spec)",
            "_ferry_spec.loader.exec_module(_ferry_score)",
            "_ferry_score.init()"),
        "_ferry_result = _ferry_score.run(raw_data)",
        "_ferry_result");

    private static string Literal(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static async Task<RuntimeInfo> ProbeAsync(string? configured)
    {
        var explicitChoice = !string.IsNullOrWhiteSpace(configured) ? configured : System.Environment.GetEnvironmentVariable("FERRY_PYTHON");
        var candidates = !string.IsNullOrWhiteSpace(explicitChoice) ? [explicitChoice] : new[] { DebianPython, "python3" };
        RuntimeInfo? fallback = null;
        foreach (var candidate in candidates)
        {
            var info = await TryProbeAsync(candidate);
            if (info is null)
            {
                continue;
            }

            // Debian's interpreter is chosen only when it has numpy; otherwise keep looking.
            if (info.Libraries.GetValueOrDefault("numpy") is not null || candidate != DebianPython)
            {
                return info;
            }

            fallback ??= info;
        }

        return fallback ?? new RuntimeInfo("Python", null, null, new Dictionary<string, string?>(), $"No Python 3 interpreter found. Install one: {InstallHint}");
    }

    private static async Task<RuntimeInfo?> TryProbeAsync(string interpreter)
    {
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync(interpreter, ["-c", ProbeScript, .. RequiredLibraries], TimeSpan.FromSeconds(30), CancellationToken.None);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }

        if (result.ExitCode != 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        var libraries = root.GetProperty("libs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var missing = libraries.Where(l => l.Value is null).Select(l => l.Key).ToList();
        var problem = missing.Count == 0 ? null : $"Missing Python libraries: {string.Join(", ", missing)}. Install them: {InstallHint}";
        return new RuntimeInfo("Python", root.GetProperty("executable").GetString() ?? interpreter, root.GetProperty("version").GetString(), libraries, problem);
    }
}
