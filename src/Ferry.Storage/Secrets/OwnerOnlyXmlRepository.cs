using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Ferry.Storage.Secrets;

/// <summary>
/// The Data Protection key ring as files in a directory of the data directory, each written
/// owner-only (0600) and never visible half-written, like the JWT signing key. The framework's
/// own file repository leaves modes to the umask.
/// </summary>
internal sealed class OwnerOnlyXmlRepository(string directory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*.xml").Order(StringComparer.Ordinal).Select(f => XElement.Load(f))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var name = string.Concat(friendlyName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
        var path = Path.Combine(directory, $"{name}.xml");
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            element.Save(stream);
        }

        File.Move(temp, path, overwrite: true);
    }
}
