using System.IO.Compression;
using Ferry.Core.Errors;
using Ferry.Core.Files;

namespace Ferry.Core.Snapshots;

/// <summary>
/// The snapshot zip: <c>workspace.dill</c> (the workspace as the worker saved it) and the working
/// directory's files under <c>files/</c>.
/// </summary>
public static class SnapshotContent
{
    public const string WorkspaceEntry = "workspace.dill";
    private const string FilesPrefix = "files/";

    /// <summary>
    /// Zips the workspace file and the working directory's regular files. The directory is user
    /// code's: its links are neither followed nor kept, so a link to a server file packs nothing.
    /// </summary>
    public static void Pack(string workspaceFile, string workingDirectory, string zipPath)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        zip.CreateEntryFromFile(workspaceFile, WorkspaceEntry, CompressionLevel.Fastest);
        foreach (var relative in ConfinedFiles.ListFiles(workingDirectory))
        {
            using var file = ConfinedFiles.OpenRead(workingDirectory, relative);
            if (file is not null)
            {
                using var entry = zip.CreateEntry(FilesPrefix + relative, CompressionLevel.Fastest).Open();
                file.CopyTo(entry);
            }
        }
    }

    /// <summary>Writes the files into <paramref name="workingDirectory"/> (replacing same names) and the workspace to <paramref name="workspaceFile"/>.</summary>
    public static void Unpack(string zipPath, string workingDirectory, string workspaceFile)
    {
        var root = Path.GetFullPath(workingDirectory);
        using var zip = ZipFile.OpenRead(zipPath);

        // Every file checked first, so that one in the way (a directory where the snapshot has a file) leaves all as it was.
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(FilesPrefix, StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
        {
            var relative = entry.FullName[FilesPrefix.Length..];
            if (!ConfinedFiles.IsPlainRelativePath(relative))
            {
                throw FerryException.BadRequest($"The snapshot holds a file outside its working directory: '{entry.FullName}'.");
            }

            if (ConfinedFiles.InTheWay(root, relative) is { } obstacle)
            {
                throw FerryException.Conflict($"The snapshot's file '{relative}' cannot be written into the working directory: {obstacle}; nothing was loaded.");
            }
        }

        foreach (var entry in zip.Entries)
        {
            if (entry.FullName == WorkspaceEntry)
            {
                entry.ExtractToFile(workspaceFile, overwrite: true);
            }
            else if (entry.FullName.StartsWith(FilesPrefix, StringComparison.Ordinal) && !entry.FullName.EndsWith('/'))
            {
                var relative = entry.FullName[FilesPrefix.Length..];
                if (!ConfinedFiles.IsPlainRelativePath(relative))
                {
                    throw FerryException.BadRequest($"The snapshot holds a file outside its working directory: '{entry.FullName}'.");
                }

                // Written beneath the directory without following a link user code may have left there.
                try
                {
                    using var target = ConfinedFiles.Create(root, relative);
                    using var content = entry.Open();
                    content.CopyTo(target);
                }
                catch (IOException ex)
                {
                    throw FerryException.Conflict($"The snapshot's file '{relative}' cannot be written into the working directory: {ex.Message}");
                }
            }
        }
    }
}
