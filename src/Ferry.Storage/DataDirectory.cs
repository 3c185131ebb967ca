using Ferry.Core.Files;
using Microsoft.Extensions.Options;

namespace Ferry.Storage;

/// <summary>The data directory: created owner-only, the home of every file Ferry writes.</summary>
public sealed class DataDirectory : IDataDirectory
{
    private const string NodeLockFile = ".ferry-node.lock";

    public DataDirectory(IOptions<StorageOptions> options)
    {
        Root = Path.GetFullPath(options.Value.DataDirectory);
        NodeRoot = string.IsNullOrEmpty(options.Value.NodeDirectory) ? Root : Path.GetFullPath(options.Value.NodeDirectory);
        CreateOwnerOnly(Root);
        CreateOwnerOnly(NodeRoot);
    }

    public string Root { get; }

    public string NodeRoot { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    public string NodePathOf(string name) => Path.Combine(NodeRoot, name);

    /// <summary>
    /// Holds this node's directory for the life of the returned handle (an exclusive lock on a file in
    /// it): a second server given the same node directory, such as two nodes sharing a data directory
    /// without their own, stops here instead of clearing the other's working directories.
    /// </summary>
    public IDisposable ClaimNodeDirectory()
    {
        try
        {
            return new FileStream(NodePathOf(NodeLockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Another Ferry server is using {NodeRoot} as its node directory. Nodes that share a data directory need one each: set Ferry:NodeDirectory (--Ferry:NodeDirectory=/path, or Ferry__NodeDirectory).", ex);
        }
    }

    private static void CreateOwnerOnly(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Creates a secret readable by the owner only unless it exists; false when it did. Nodes sharing the
    /// directory may try at once: the rename refuses to replace, so exactly one creates it and all read the same.
    /// </summary>
    public bool TryCreateSecret(string name, string content)
    {
        var path = PathOf(name);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        WriteOwnerOnly(temp, content);
        try
        {
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return false;
        }
    }

    /// <summary>Writes a secret readable by the owner only, never visible half-written.</summary>
    public void WriteSecret(string name, string content)
    {
        var path = PathOf(name);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        WriteOwnerOnly(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteOwnerOnly(string temp, string content)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }
    }
}
