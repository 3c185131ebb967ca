using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Files;
using Ferry.Core.Text;

namespace Ferry.Core.Runs;

/// <summary>
/// Metrics a run logs, the simple documented way: the script appends one JSON object per line,
/// <c>{"name": "accuracy", "value": 0.97}</c>, to the file named by <c>AZUREML_METRICS_FILE</c>.
/// The run reports the last value of each name, and every value in order, from the file's first
/// <see cref="MaxBytes"/> bytes.
/// </summary>
public static class RunMetrics
{
    public const string File = "azureml-logs/metrics.jsonl";
    public const string EnvironmentVariable = "AZUREML_METRICS_FILE";

    /// <summary>How much of the file is read: user code writes it, and a run is read at every poll.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>
    /// How deep a line may nest (a value, a list, a table of rows fit easily): the run's answers wrap the value
    /// further, and one nested near the serializer's limit would make every read of the run fail.
    /// </summary>
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions LineOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Each metric's values in the order logged; lines that are not such objects, nest deeper than <see cref="MaxDepth"/>
    /// or hold an unpaired UTF-16 surrogate are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, List<JsonNode?>> Read(Run run)
    {
        var result = new Dictionary<string, List<JsonNode?>>(StringComparer.Ordinal);
        // Written by user code: read without following a link put in its place.
        using var stream = Directory.Exists(run.Directory) ? ConfinedFiles.OpenRead(run.Directory, File) : null;
        if (stream is null)
        {
            return result;
        }

        var buffer = new byte[(int)Math.Min(MaxBytes, Math.Max(0, stream.Length))];
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        using var reader = new StreamReader(new MemoryStream(buffer));
        while (reader.ReadLine() is { } line)
        {
            try
            {
                // A line whose text is not Unicode (json.dumps of a lone surrogate) could not be answered: skipped like any other bad line.
                if (JsonNode.Parse(line, documentOptions: LineOptions) is JsonObject { } entry && UnpairedSurrogates.IsEncodable(entry)
                    && entry["name"]?.GetValueKind() == JsonValueKind.String)
                {
                    var name = entry["name"]!.GetValue<string>();
                    if (!result.TryGetValue(name, out var values))
                    {
                        result[name] = values = [];
                    }

                    values.Add(entry["value"]?.DeepClone());
                }
            }
            catch (JsonException)
            {
                // a half-written or foreign line: not a metric
            }
        }

        return result;
    }
}
