using Ferry.Core.Diagnostics;

namespace Ferry.Core.Runs;

/// <summary>Every status change of a run goes through here, so <c>ferry.runs</c> counts each state entered once.</summary>
public static class RunTransitions
{
    /// <summary>Moves a run on unless it already ended (then false), and counts the state it entered.</summary>
    public static async Task<bool> MoveAsync(
        this IRunStore store, FerryMetrics metrics, string runId, string status, DateTimeOffset now, string? failure, CancellationToken cancellationToken)
    {
        var moved = await store.SetStatusAsync(runId, status, now, failure, cancellationToken);
        if (moved)
        {
            metrics.RunEntered(status);
        }

        return moved;
    }
}
