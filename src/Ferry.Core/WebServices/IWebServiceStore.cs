namespace Ferry.Core.WebServices;

/// <summary>Web service rows; publish, patch and delete are each one transaction.</summary>
public interface IWebServiceStore
{
    /// <summary>Every version, in publishing order.</summary>
    Task<IReadOnlyList<WebService>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One version, or null when it is not published.</summary>
    Task<WebService?> FindAsync(string name, string version, CancellationToken cancellationToken);

    /// <summary>Adds a version; false when the name and version exist. Takes a reference on its content.</summary>
    Task<bool> TryAddAsync(WebService service, CancellationToken cancellationToken);

    /// <summary>Replaces a version's definition, moving the content reference when it changed.</summary>
    Task UpdateAsync(WebService service, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string name, string version, CancellationToken cancellationToken);
}
