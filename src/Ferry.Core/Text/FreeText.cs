using Ferry.Core.Errors;

namespace Ferry.Core.Text;

/// <summary>
/// Bounds on the free text clients store (descriptions, display names): what one caller stores, every reader of a
/// list is sent, so a 30 MB description made each GET /services (the portal's first page) 30 MB for everyone.
/// </summary>
public static class FreeText
{
    /// <summary>The most characters of a description.</summary>
    public const int MaxDescription = 16 * 1024;

    /// <summary>The most characters of a display name (a session's, a snapshot's).</summary>
    public const int MaxName = 256;

    /// <summary>A 400 naming <paramref name="field"/> when <paramref name="value"/> is longer than <paramref name="max"/> characters.</summary>
    public static void Check(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            throw FerryException.BadRequest($"'{field}' may hold at most {max} characters; it holds {value.Length}.");
        }
    }
}
