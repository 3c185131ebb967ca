namespace Ferry.Core.Files;

/// <summary>
/// The data directory as Core and Execution see it (Storage owns and creates it), so each project
/// can default its own directories under it when it binds its options.
/// </summary>
public interface IDataDirectory
{
    /// <summary>The full path of the data directory.</summary>
    string Root { get; }

    /// <summary>The full path of an entry directly under the data directory.</summary>
    string PathOf(string name);

    /// <summary>The full path of this node's own directory (<c>Ferry:NodeDirectory</c>, by default the data directory).</summary>
    string NodeRoot { get; }

    /// <summary>The full path of an entry directly under this node's own directory: what only this process uses.</summary>
    string NodePathOf(string name);
}
