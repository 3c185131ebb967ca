using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Client;

/// <summary>What the client verbs share: <c>--output</c>, printing, and one way to fail.</summary>
internal static class ClientCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Option<OutputFormat> Output() => new("--output", "-o")
    {
        Description = "table (the default, for people) or json (the server's answer, for scripts).",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    /// <summary>Runs a verb; a failure prints the server's message (and with json its error body) and exits 1.</summary>
    public static async Task<int> RunAsync(OutputFormat output, Func<CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action(cancellationToken);
        }
        catch (ClientException ex)
        {
            if (output == OutputFormat.Json && ex.Body is not null)
            {
                await Console.Error.WriteLineAsync(ex.Body);
            }

            await Console.Error.WriteLineAsync($"ferry: {ex.Message}");
            return 1;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("ferry: the server did not answer in time.");
            return 1;
        }
    }

    public static void WriteJson(JsonNode? node) => Console.WriteLine(node?.ToJsonString(Indented) ?? "null");

    /// <summary>Rows in aligned columns under their headings.</summary>
    public static void WriteTable(string[] headings, IEnumerable<string?[]> rows)
    {
        var all = new List<string?[]> { headings };
        all.AddRange(rows);
        var widths = headings.Select((_, i) => all.Max(r => (r[i] ?? "").Length)).ToArray();
        foreach (var row in all)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell ?? "" : (cell ?? "").PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>A string field of a JSON answer, or empty.</summary>
    public static string Text(JsonNode? node, string name) => node?[name] switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };
}
