namespace Ferry.Core.ComputeNodes;

/// <summary>The compute node list of ML Server's centralized configuration: URIs or address ranges.</summary>
public interface IComputeNodeStore
{
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Applies one change to the whole list in a transaction.</summary>
    Task UpdateAsync(Func<IReadOnlyList<string>, IReadOnlyList<string>> change, CancellationToken cancellationToken);
}
