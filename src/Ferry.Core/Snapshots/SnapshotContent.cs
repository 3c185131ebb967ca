using System.IO.Compression;
using Ferry.Core.Errors;

namespace Ferry.Core.Snapshots;

/// <summary>
/// The snapshot zip: <c>workspace.dill</c> (the workspace as the worker saved it) and the working
/// directory's files under <c>files/</c>.
/// </summary>
public static class SnapshotContent
{
    public const string WorkspaceEntry = "workspace.dill";
    private const string FilesPrefix = "files/";

    public static void Pack(string workspaceFile, string workingDirectory, string zipPath)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        zip.CreateEntryFromFile(workspaceFile, WorkspaceEntry, CompressionLevel.Fastest);
        foreach (var file in Directory.EnumerateFiles(workingDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(workingDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
            zip.CreateEntryFromFile(file, FilesPrefix + relative, CompressionLevel.Fastest);
        }
    }

    /// <summary>Writes the files into <paramref name="workingDirectory"/> (replacing same names) and the workspace to <paramref name="workspaceFile"/>.</summary>
    public static void Unpack(string zipPath, string workingDirectory, string workspaceFile)
    {
        var root = Path.GetFullPath(workingDirectory);
        using var zip = ZipFile.OpenRead(zipPath);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName == WorkspaceEntry)
            {
                entry.ExtractToFile(workspaceFile, overwrite: true);
            }
            else if (entry.FullName.StartsWith(FilesPrefix, StringComparison.Ordinal) && !entry.FullName.EndsWith('/'))
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName[FilesPrefix.Length..]));
                if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw FerryException.BadRequest($"The snapshot holds a file outside its working directory: '{entry.FullName}'.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: true);
            }
        }
    }
}
