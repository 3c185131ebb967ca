using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Server.Tests.Infrastructure;

/// <summary>A scrape of <c>/metrics</c> in the Prometheus text format, read into series.</summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> series = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = Sample().Match(line);
            Assert.True(match.Success, $"Not a sample: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => Regex.Unescape(m.Groups[2].Value));
            series.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    /// <summary>Whether a series of that name has the labels given (as <c>"name=value"</c>).</summary>
    public bool Has(string name, params string[] labels) => Matching(name, labels).Any();

    /// <summary>The sum of the series of that name with the labels given (as <c>"name=value"</c>); 0 when there is none.</summary>
    public double Sum(string name, params string[] labels) => Matching(name, labels).Sum(s => s.Value);

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Matching(string name, string[] labels)
    {
        var wanted = labels.Select(l => l.Split('=', 2)).ToList();
        return series.Where(s => s.Name == name && wanted.All(w => s.Labels.TryGetValue(w[0], out var v) && v == w[1]));
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
