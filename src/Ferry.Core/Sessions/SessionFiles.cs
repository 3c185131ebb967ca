using Ferry.Core.Errors;
using Ferry.Core.Files;

namespace Ferry.Core.Sessions;

/// <summary>File names a client gives for a working directory: plain names only, never a way out of it.</summary>
public static class SessionFiles
{
    /// <summary>The path of <paramref name="fileName"/> inside <paramref name="directory"/>; anything else is a 400.</summary>
    public static string PathOf(string directory, string fileName)
    {
        if (FileNames.Problem(fileName) is { } problem)
        {
            throw FerryException.BadRequest($"'{FileNames.Printable(fileName)}' is not a valid file name: {problem}; use a plain name without path separators.");
        }

        var root = Path.GetFullPath(directory);
        var path = Path.GetFullPath(Path.Combine(root, fileName));
        return Path.GetDirectoryName(path) == Path.TrimEndingDirectorySeparator(root)
            ? path
            : throw FerryException.BadRequest($"'{FileNames.Printable(fileName)}' is not a valid file name: it points outside the working directory.");
    }
}
