namespace Ferry.Core.Sessions;

/// <summary>Which node holds a session: where a web node sends the session's calls.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Owner">Who created it (only they, or an Owner, learn where it is or that it is gone).</param>
/// <param name="NodeUrl">The node's advertised address.</param>
/// <param name="NodeInstance">The node process that holds it: a node started again holds none of its earlier sessions.</param>
public sealed record SessionPlacement(string SessionId, string Owner, string NodeUrl, string NodeInstance);
