namespace Ferry.Core.Nodes;

/// <summary>What one Ferry process does in a deployment of several (<c>ferry serve --role</c>).</summary>
public enum NodeRole
{
    /// <summary>The one-box server: the API and the workers in one process (the default).</summary>
    All,

    /// <summary>The API only: sessions and service calls go to the compute nodes.</summary>
    Web,

    /// <summary>Workers only (sessions, service pools, runs), reached by web nodes through the internal API.</summary>
    Compute,
}
