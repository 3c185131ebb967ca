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

    [GeneratedRegex(@"(\d+)-\d+")]
    private static partial Regex RangePattern();
}
