namespace Ferry.Core.Nodes;

/// <summary>
/// This process among the nodes: its role, the address others reach it by, and an instance id new at
/// every start, so a session recorded by an earlier life of the same node is known to be gone.
/// </summary>
public sealed class NodeIdentity(NodeRole role, string url)
{
    public NodeRole Role { get; } = role;

    public string Url { get; } = url;

    public string Instance { get; } = Guid.NewGuid().ToString("N");
}
