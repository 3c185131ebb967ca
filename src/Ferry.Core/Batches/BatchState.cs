namespace Ferry.Core.Batches;

/// <summary>Where a batch execution is; written in the contract's camelCase (<c>inProgress</c>).</summary>
public enum BatchState
{
    /// <summary>Stored, not yet picked up by the runner.</summary>
    Pending,

    /// <summary>Its records are running.</summary>
    InProgress,

    /// <summary>Every record has its result (each with its own success flag).</summary>
    Complete,

    /// <summary>The batch itself could not go on (not a record's code failing: that is the record's success:false).</summary>
    Failed,
}
