namespace Ferry.Core.Status;

/// <summary>Asks every contributor in parallel and folds the answers into one tree.</summary>
public sealed class StatusService(IEnumerable<IStatusContributor> contributors)
{
    public async Task<StatusNode> CheckAsync(IReadOnlyDictionary<string, object?> details, CancellationToken cancellationToken)
    {
        var checks = contributors.Select(async c => (c.Name, Node: await CheckOneAsync(c, cancellationToken))).ToList();
        var results = await Task.WhenAll(checks);
        return StatusNode.Of(details, results.OrderBy(r => r.Name, StringComparer.Ordinal).ToDictionary(r => r.Name, r => r.Node));
    }

    private static async Task<StatusNode> CheckOneAsync(IStatusContributor contributor, CancellationToken cancellationToken)
    {
        try
        {
            return await contributor.CheckAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A broken check is itself the finding; the message is ours, never a stack trace.
            return StatusNode.Leaf(StatusCode.Fail, new Dictionary<string, object?> { ["error"] = ex.Message });
        }
    }
}
