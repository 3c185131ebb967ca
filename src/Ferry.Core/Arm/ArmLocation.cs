using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Arm;

/// <summary>
/// A resource's <c>location</c>: a region name ("westus2", "West US 2"). It travels in the polling URLs of the
/// <c>Azure-AsyncOperation</c> and <c>Location</c> headers, so anything else (a control character, non-ASCII text,
/// "../", 70,000 characters) is a 400 naming it before anything is stored.
/// </summary>
public static partial class ArmLocation
{
    /// <summary>Throws a 400 unless <paramref name="location"/> (when given) is a region's name.</summary>
    public static void Check(string? location)
    {
        if (location is not null && !Pattern().IsMatch(location))
        {
            throw new FerryException(
                FerryErrorKind.BadRequest,
                "'location' must be a region's name: 1 to 64 ASCII letters, digits, spaces, '-', '_', '(' and ')', starting with a letter or digit (e.g. 'westus2').",
                code: "InvalidLocation");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 ()_-]{0,63}\z")]
    private static partial Regex Pattern();
}
