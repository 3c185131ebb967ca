using Dapper;
using Ferry.Core.ServicePrincipals;
using Ferry.Storage.Database;

namespace Ferry.Storage.ServicePrincipals;

internal sealed class SettingsStore(FerryDatabase database) : ISettingsStore
{
    public async Task<string> GetOrAddAsync(string key, Func<string> create, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var value = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT value FROM settings WHERE key = @key;", new { key }, cancellationToken: cancellationToken));
        if (value is not null)
        {
            return value;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT DO NOTHING;", new { key, value = create() }, cancellationToken: cancellationToken));
        return await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT value FROM settings WHERE key = @key;", new { key }, cancellationToken: cancellationToken));
    }
}
