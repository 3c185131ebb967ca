namespace Ferry.Core.Sessions;

/// <summary>Where each open session lives, shared by the nodes (Ferry.Storage implements it).</summary>
public interface ISessionPlacementStore
{
    /// <summary>
    /// Records a new session on this node, unless its owner already holds <paramref name="maxOfOwner"/>
    /// sessions on nodes that live. Counted in the write transaction that adds the row, so creations racing
    /// through any nodes cannot pass the limit together. False at the limit.
    /// </summary>
    Task<bool> TryAddAsync(SessionPlacement placement, int maxOfOwner, CancellationToken cancellationToken);

    Task RemoveAsync(string sessionId, CancellationToken cancellationToken);

    Task<SessionPlacement?> FindAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the placements of nodes that are gone as seen gone at <paramref name="now"/>, and forgets those
    /// seen gone for longer than <paramref name="keepGone"/> (until then their sessions answer 410). Returns how many it forgot.
    /// </summary>
    Task<int> SweepGoneAsync(DateTimeOffset now, TimeSpan keepGone, CancellationToken cancellationToken);
}
