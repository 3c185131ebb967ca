using Dapper;
using Ferry.Core.ServicePrincipals;
using Ferry.Storage.Database;

namespace Ferry.Storage.ServicePrincipals;

internal sealed class ServicePrincipalStore(FerryDatabase database) : IServicePrincipalStore
{
    private const string Columns = "client_id AS ClientId, name AS Name, secret_hash AS SecretHash, created_at AS CreatedAt";

    public async Task<bool> TryAddAsync(ServicePrincipal principal, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO service_principals (client_id, name, secret_hash, created_at) VALUES (@ClientId, @Name, @SecretHash, @CreatedAt) ON CONFLICT DO NOTHING;",
            new { principal.ClientId, principal.Name, principal.SecretHash, CreatedAt = Timestamps.Format(principal.CreatedAt) },
            cancellationToken: cancellationToken));
        return rows == 1;
    }

    public async Task<ServicePrincipal?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM service_principals WHERE client_id = @clientId;", new { clientId }, cancellationToken: cancellationToken));
        return row?.ToPrincipal();
    }

    public async Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM service_principals ORDER BY name;", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToPrincipal())];
    }

    public async Task<bool> RemoveAsync(string clientIdOrName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM service_principals WHERE client_id = @clientIdOrName OR name = @clientIdOrName;", new { clientIdOrName }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed record Row(string ClientId, string Name, string SecretHash, string CreatedAt)
    {
        public ServicePrincipal ToPrincipal() => new(ClientId, Name, SecretHash, Timestamps.Parse(CreatedAt));
    }
}
