using Ferry.Core.Status;

namespace Ferry.Execution.Runtimes;

/// <summary>
/// Reports each interpreter under <c>runtimes</c>: where it is, its version, its libraries. A missing
/// runtime is a warning, not a failure: the server still serves everything else.
/// </summary>
internal sealed class RuntimeStatusContributor(RuntimeCatalog runtimes) : IStatusContributor
{
    public string Name => "runtimes";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(runtimes.All.Select(r => r.GetAsync())).WaitAsync(cancellationToken);
        var components = found.ToDictionary(info => info.Name.ToLowerInvariant(), Describe);
        return StatusNode.Of(new Dictionary<string, object?>(), components);
    }

    private static StatusNode Describe(RuntimeInfo info)
    {
        var details = new Dictionary<string, object?>
        {
            ["interpreter"] = info.Path,
            ["version"] = info.Version,
            ["libraries"] = info.Libraries,
        };
        if (info.Problem is not null)
        {
            details["problem"] = info.Problem;
        }

        return StatusNode.Leaf(info.IsUsable ? StatusCode.Pass : StatusCode.Warn, details);
    }
}
