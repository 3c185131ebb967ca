using System.Text;

namespace Ferry.Core.Files;

/// <summary>
/// The rules a client-given file name must meet before it touches a file system: what Linux can
/// store (255 bytes of UTF-8 per name), no separators, no control characters, no unpaired surrogates.
/// </summary>
public static class FileNames
{
    /// <summary>The longest name one directory entry can hold on Linux file systems, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The longest relative path accepted, in UTF-8 bytes (Linux's PATH_MAX is 4096 for the whole path).</summary>
    public const int MaxPathBytes = 1024;

    /// <summary>Why <paramref name="name"/> cannot be one plain file name, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or "..")
        {
            return "it is empty or a dot name";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return "it holds a path separator";
        }

        if (name.Any(char.IsControl))
        {
            return "it holds a control character (NUL, newline, ...)";
        }

        if (!IsWellFormed(name))
        {
            return "it holds an unpaired UTF-16 surrogate";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxNameBytes ? $"it is {bytes} bytes long in UTF-8; at most {MaxNameBytes} are allowed" : null;
    }

    /// <summary>
    /// Why a '/'-separated relative path cannot be stored, or null when it can. Dot segments pass:
    /// whether the path stays inside its root is the caller's check, with its own message.
    /// </summary>
    public static string? PathProblem(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "it is empty";
        }

        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            return $"it is {bytes} bytes long in UTF-8; at most {MaxPathBytes} are allowed";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is not ("" or "." or "..") && Problem(segment) is { } problem)
            {
                return $"the part '{Printable(segment)}' is not a valid name: {problem}";
            }
        }

        return null;
    }

    /// <summary>A name as it may be quoted back in a message: control characters escaped, long names cut.</summary>
    public static string Printable(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Length > 80 ? name[..80] : name)
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c);
        }

        return name.Length > 80 ? builder.Append('…').ToString() : builder.ToString();
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
