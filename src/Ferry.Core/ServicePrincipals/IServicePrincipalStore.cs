namespace Ferry.Core.ServicePrincipals;

public interface IServicePrincipalStore
{
    /// <summary>False when the name is taken.</summary>
    Task<bool> TryAddAsync(ServicePrincipal principal, CancellationToken cancellationToken);

    Task<ServicePrincipal?> FindAsync(string clientId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes by client id or name; false when there is none.</summary>
    Task<bool> RemoveAsync(string clientIdOrName, CancellationToken cancellationToken);
}
