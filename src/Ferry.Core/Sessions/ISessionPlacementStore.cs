namespace Ferry.Core.Sessions;

/// <summary>Where each open session lives, shared by the nodes (Ferry.Storage implements it).</summary>
public interface ISessionPlacementStore
{
    Task AddAsync(SessionPlacement placement, CancellationToken cancellationToken);

    Task RemoveAsync(string sessionId, CancellationToken cancellationToken);

    Task<SessionPlacement?> FindAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The placements of <paramref name="owner"/>'s sessions, on any node (those of nodes gone included).</summary>
    Task<IReadOnlyList<SessionPlacement>> ListByOwnerAsync(string owner, CancellationToken cancellationToken);
}
