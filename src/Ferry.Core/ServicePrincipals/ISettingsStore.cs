namespace Ferry.Core.ServicePrincipals;

/// <summary>Server-wide values created once and kept, such as the tenant and subscription ids.</summary>
public interface ISettingsStore
{
    /// <summary>The stored value, or <paramref name="create"/>'s, stored first if two callers race.</summary>
    Task<string> GetOrAddAsync(string key, Func<string> create, CancellationToken cancellationToken);
}
