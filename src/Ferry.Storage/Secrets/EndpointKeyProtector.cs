using System.Data.Common;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace Ferry.Storage.Secrets;

/// <summary>
/// Online endpoint keys are stored encrypted (ASP.NET Core Data Protection, key ring under
/// <c>&lt;data-dir&gt;/data-protection-keys</c>) because listKeys must hand them back; a hash would not do.
/// Stored values carry a prefix, so a key written before encryption is recognised and encrypted at start-up.
/// </summary>
public sealed class EndpointKeyProtector(IDataProtectionProvider provider)
{
    public const string KeyRingDirectory = "data-protection-keys";
    private const string Prefix = "dp1:";
    private readonly IDataProtector protector = provider.CreateProtector("Ferry.OnlineEndpointKeys.v1");

    public string Protect(string key) => Prefix + protector.Protect(key);

    /// <summary>Makes sure the key ring holds a key (protecting anything creates one when it has none).</summary>
    public void EnsureKey() => protector.Protect("ferry");

    /// <summary>The key; a value stored before encryption comes back as it is.</summary>
    public string Unprotect(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal) ? protector.Unprotect(stored[Prefix.Length..]) : stored;

    /// <summary>Encrypts every key still stored in plain text (databases from before issue 11).</summary>
    public async Task<int> ProtectPlaintextKeysAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<(string ResourceGroup, string Workspace, string Name, string PrimaryKey, string SecondaryKey)>(new CommandDefinition(
            "SELECT resource_group, workspace, name, primary_key, secondary_key FROM online_endpoints WHERE primary_key NOT LIKE 'dp1:%' OR secondary_key NOT LIKE 'dp1:%';",
            transaction: transaction,
            cancellationToken: cancellationToken))).ToList();
        foreach (var row in rows)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE online_endpoints SET primary_key = @primary, secondary_key = @secondary WHERE resource_group = @ResourceGroup AND workspace = @Workspace AND name = @Name;",
                new
                {
                    row.ResourceGroup, row.Workspace, row.Name,
                    primary = Protect(Unprotect(row.PrimaryKey)), secondary = Protect(Unprotect(row.SecondaryKey)),
                },
                transaction,
                cancellationToken: cancellationToken));
        }

        return rows.Count;
    }
}
