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
    /// port may be a range such as <c>12805-12807</c>; every address a range stands for must be a valid URI.
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
            if (ExpandEntry(probe) is not { Count: > 0 } addresses || addresses.Any(a => NodeUri(a) is null))
            {
                throw FerryException.BadRequest(
                    $"'{entry}' is not a compute node URI such as http://10.0.0.4:12805 (ranges such as 10.0.1-3.4 and 12805-12807 must stand for valid addresses and ports).");
            }

            result.Add(probe);
        }

        return result;
    }

    /// <summary>
    /// The entries with their ranges expanded: <c>http://10.0.1-3.4:12805-12806</c> is six nodes. An entry
    /// expanding to more than <see cref="MaxExpanded"/> addresses is cut there; addresses that are not valid
    /// node URIs (stored before they were checked) are left out.
    /// </summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> entries) =>
        [.. entries.SelectMany(e => ExpandEntry(e) ?? []).Where(a => NodeUri(a) is not null)];

    /// <summary>The address as a node's base URI, or null when it is not an http(s) URI with a host and a port in range.</summary>
    public static Uri? NodeUri(string address) =>
        Uri.TryCreate(address.TrimEnd('/') + "/", UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host)
            ? uri
            : null;

    /// <summary>One entry's addresses (a backward range is its first value); null when a range's numbers are too large.</summary>
    private static List<string>? ExpandEntry(string entry)
    {
        var expanded = new List<string> { entry };
        while (RangePattern().Match(expanded[0]) is { Success: true } range)
        {
            if (!int.TryParse(range.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(range.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                return null;
            }

            expanded = [.. expanded.SelectMany(e => Enumerable.Range(from, (int)Math.Clamp((long)to - from + 1, 1, MaxExpanded))
                .Select(v => RangePattern().Replace(e, v.ToString(CultureInfo.InvariantCulture), 1))).Take(MaxExpanded)];
        }

        return expanded;
    }

    private const int MaxExpanded = 256;

    [GeneratedRegex(@"(\d+)-(\d+)")]
    private static partial Regex RangePattern();
}
