using System.Globalization;
using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.ComputeNodes;

/// <summary>Validates and applies the set, add and remove operations of <c>/computenodes</c>.</summary>
public sealed partial class ComputeNodeService(IComputeNodeStore store)
{
    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public Task SetAsync(IReadOnlyList<string>? entries, CancellationToken cancellationToken)
    {
        var valid = Validate(entries);
        return store.UpdateAsync(_ => valid, cancellationToken);
    }

    public Task AddAsync(IReadOnlyList<string>? entries, CancellationToken cancellationToken)
    {
        var valid = Validate(entries);
        return store.UpdateAsync(current => [.. current.Union(valid, StringComparer.OrdinalIgnoreCase)], cancellationToken);
    }

    public Task RemoveAsync(IReadOnlyList<string>? entries, CancellationToken cancellationToken)
    {
        var valid = Validate(entries);
        return store.UpdateAsync(current => [.. current.Except(valid, StringComparer.OrdinalIgnoreCase)], cancellationToken);
    }

    /// <summary>
    /// Each entry is an http(s) URI whose host may hold ranges such as <c>10.0.1-3.4</c> and whose
    /// port may be a range such as <c>12805-12807</c>.
    /// </summary>
    private static List<string> Validate(IReadOnlyList<string>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            throw FerryException.BadRequest("'entries' must list at least one compute node URI.");
        }

        var result = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            var probe = entry?.Trim() ?? "";
            // Replace ranges by their first value so the URI parser can judge the rest.
            var normalized = RangePattern().Replace(probe, "$1");
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                throw FerryException.BadRequest($"'{entry}' is not a compute node URI such as http://10.0.0.4:12805.");
            }

            result.Add(probe);
        }

        return result;
    }

    /// <summary>
    /// The entries with their ranges expanded: <c>http://10.0.1-3.4:12805-12806</c> is six nodes. An entry
    /// expanding to more than <see cref="MaxExpanded"/> addresses is cut there.
    /// </summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> entries)
    {
        var result = new List<string>();
        foreach (var entry in entries)
        {
            var expanded = new List<string> { entry };
            while (RangePattern().Match(expanded[0]) is { Success: true } range)
            {
                var from = int.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture);
                var to = int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);
                expanded = [.. expanded.SelectMany(e => Enumerable.Range(from, Math.Max(1, to - from + 1))
                    .Select(v => RangePattern().Replace(e, v.ToString(CultureInfo.InvariantCulture), 1))).Take(MaxExpanded)];
            }

            result.AddRange(expanded);
        }

        return result;
    }

    private const int MaxExpanded = 256;

    [GeneratedRegex(@"(\d+)-(\d+)")]
    private static partial Regex RangePattern();
}
