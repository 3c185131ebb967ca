using Ferry.Core.Files;
using Microsoft.Extensions.Options;

namespace Ferry.Storage;

/// <summary>The data directory: created owner-only, the home of every file Ferry writes.</summary>
public sealed class DataDirectory : IDataDirectory
{
    public DataDirectory(IOptions<StorageOptions> options)
    {
        Root = Path.GetFullPath(options.Value.DataDirectory);
        if (!Directory.Exists(Root))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Root);
            }
            else
            {
                Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Writes a secret readable by the owner only, never visible half-written.</summary>
    public void WriteSecret(string name, string content)
    {
        var path = PathOf(name);
        var temp = path + ".tmp";
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

        File.Move(temp, path, overwrite: true);
    }
}
