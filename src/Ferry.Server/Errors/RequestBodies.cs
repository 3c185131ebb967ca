using Ferry.Core.Errors;
using Microsoft.AspNetCore.WebUtilities;

namespace Ferry.Server.Errors;

/// <summary>
/// Reads form and multipart bodies, turning a malformed one (no closing boundary, a truncated part,
/// lines past the reader's limits) into a 400 that says so, instead of the reader's exception.
/// </summary>
internal static class RequestBodies
{
    private const string Malformed = "The request body is not well-formed multipart/form-data or form data";

    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw FerryException.BadRequest($"{Malformed}: {ex.Message}");
        }
    }

    public static async Task<MultipartSection?> ReadNextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw FerryException.BadRequest($"{Malformed}: {ex.Message}");
        }
    }

    /// <summary>Runs what consumes a part's body; the part ending before its boundary is the body's fault (a 400).</summary>
    public static async Task ReadPartAsync(Func<Task> consume, CancellationToken cancellationToken)
    {
        try
        {
            await consume();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw FerryException.BadRequest($"{Malformed}: {ex.Message}");
        }
    }
}
