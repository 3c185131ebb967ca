using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ferry.Core.Access;
using Ferry.Core.Changes;
using Ferry.Core.Errors;
using Ferry.Core.Users;

namespace Ferry.Core.ServicePrincipals;

/// <summary>
/// Service principals and the identity of this server as the Azure-ML plane shows it: one tenant,
/// generated on first use, and a subscription per principal. Secrets are 256 random bits, so a SHA-256 of them is
/// stored (a slow password hash adds nothing to a secret nobody chose).
/// </summary>
public sealed partial class ServicePrincipalService(
    IServicePrincipalStore store, ISettingsStore settings, SubscriptionService subscriptions, RoleAssignmentService roles, IChangeNotices notices, TimeProvider time)
{
    /// <summary>What a client-credential login names as the principal's user: <c>sp:{clientId}</c>.</summary>
    public const string LoginPrefix = "sp:";

    public Task<string> TenantIdAsync(CancellationToken cancellationToken) =>
        settings.GetOrAddAsync("tenantId", () => Guid.NewGuid().ToString("D"), cancellationToken);

    public async Task<CreatedServicePrincipal> CreateAsync(string name, CancellationToken cancellationToken)
    {
        if (!ValidName().IsMatch(name))
        {
            throw FerryException.BadRequest($"'{name}' is not a valid name: use 1 to 64 letters, digits, '.', '-' or '_'.");
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var principal = new ServicePrincipal(Guid.NewGuid().ToString("D"), name, HashOf(secret), time.GetUtcNow());
        if (!await store.TryAddAsync(principal, cancellationToken))
        {
            throw FerryException.Conflict($"A service principal named '{name}' already exists.");
        }

        // ARM's usual start for automation: a subscription of its own, where it is Contributor.
        var subscription = await subscriptions.CreateAsync(name, cancellationToken);
        await roles.AssignAsync(new PrincipalRef(PrincipalKind.ServicePrincipal, principal.ClientId, name), subscription.SubscriptionId, Role.Contributor, cancellationToken);
        return new CreatedServicePrincipal(await TenantIdAsync(cancellationToken), subscription.SubscriptionId, principal.ClientId, secret);
    }

    public Task<IReadOnlyList<ServicePrincipal>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task RemoveAsync(string clientIdOrName, CancellationToken cancellationToken)
    {
        if (!await store.RemoveAsync(clientIdOrName, cancellationToken))
        {
            throw FerryException.NotFound($"There is no service principal '{clientIdOrName}'.");
        }

        await notices.PublishAsync(ChangeTopics.Auth, ChangeTopics.AllLogins, CancellationToken.None); // its tokens die on every node now
    }

    /// <summary>The principal when the secret is its own; else null (unknown id and wrong secret alike).</summary>
    public async Task<ServicePrincipal?> AuthenticateAsync(string clientId, string secret, CancellationToken cancellationToken)
    {
        var principal = await store.FindAsync(clientId, cancellationToken);
        var expected = Encoding.ASCII.GetBytes(principal?.SecretHash ?? new string('0', 64));
        var actual = Encoding.ASCII.GetBytes(HashOf(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual) && principal is not null ? principal : null;
    }

    public async Task<bool> ExistsAsync(string clientId, CancellationToken cancellationToken) =>
        await store.FindAsync(clientId, cancellationToken) is not null;

    private static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}\\z")]
    private static partial Regex ValidName();
}
