namespace Ferry.Core.ServicePrincipals;

/// <summary>An application identity for automation: a client id and a secret stored hashed.</summary>
public sealed record ServicePrincipal(string ClientId, string Name, string SecretHash, DateTimeOffset CreatedAt);

/// <summary>A new service principal with its secret, shown this once.</summary>
public sealed record CreatedServicePrincipal(string TenantId, string SubscriptionId, string ClientId, string ClientSecret);

public interface IServicePrincipalStore
{
    /// <summary>False when the name is taken.</summary>
    Task<bool> TryAddAsync(ServicePrincipal principal, CancellationToken cancellationToken);

    Task<ServicePrincipal?> FindAsync(string clientId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes by client id or name; false when there is none.</summary>
    Task<bool> RemoveAsync(string clientIdOrName, CancellationToken cancellationToken);
}

/// <summary>Server-wide values created once and kept, such as the tenant and subscription ids.</summary>
public interface ISettingsStore
{
    /// <summary>The stored value, or <paramref name="create"/>'s, stored first if two callers race.</summary>
    Task<string> GetOrAddAsync(string key, Func<string> create, CancellationToken cancellationToken);
}
