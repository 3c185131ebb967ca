using Ferry.Core.Status;

namespace Ferry.Storage;

/// <summary>Reports whether the data directory takes writes, by writing and removing a file.</summary>
internal sealed class DataDirectoryStatusContributor(DataDirectory dataDirectory) : IStatusContributor
{
    public string Name => "dataDirectory";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        var probe = dataDirectory.PathOf($".write-probe-{Guid.NewGuid():N}");
        var details = new Dictionary<string, object?> { ["path"] = dataDirectory.Root };
        try
        {
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
            details["writable"] = true;
            return StatusNode.Leaf(StatusCode.Pass, details);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            details["writable"] = false;
            details["error"] = ex.Message;
            return StatusNode.Leaf(StatusCode.Fail, details);
        }
    }
}
