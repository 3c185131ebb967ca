using System.Diagnostics;
using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.Realtime;

/// <summary>
/// The iris models as ONNX graphs (an SVMClassifier from the seed's SVC, a TreeEnsembleClassifier, a
/// LinearClassifier with named inputs and a ZipMap), hostile models (an endless Loop, outputs and allocations
/// sized by the caller, strings tiled or doubled), a harmless string model, built once by <c>onnx_models.py</c>
/// with Debian's python3-onnx, and scikit-learn's own predictions to hold Ferry's to.
/// </summary>
public sealed class OnnxModels : IDisposable
{
    public OnnxModels()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"ferry-onnx-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Realtime", "onnx_models.py"), Directory])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "onnx_models.py failed (is python3-onnx installed?): " + errors.GetAwaiter().GetResult());
        Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json"))).RootElement;
    }

    public string Directory { get; }

    /// <summary>features (150 rows of 4), names, svc, tree, logistic (labels), logistic_probability.</summary>
    public JsonElement Expected { get; }

    public double[][] Features => [.. Expected.GetProperty("features").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray())];

    public byte[] Bytes(string model) => File.ReadAllBytes(Path.Combine(Directory, model + ".onnx"));

    public void Dispose() => TestDirectory.TryDelete(Directory);
}
