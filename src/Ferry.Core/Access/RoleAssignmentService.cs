using Ferry.Core.Errors;
using Ferry.Core.ServicePrincipals;
using Ferry.Core.Users;

namespace Ferry.Core.Access;

/// <summary>
/// ARM-style role assignments at subscription scope, and the one question the HTTP layer asks:
/// which role does this principal hold on this subscription? The server's Owner users hold Owner
/// on every subscription; everyone else holds what was assigned, or nothing.
/// </summary>
public sealed class RoleAssignmentService(
    IRoleAssignmentStore store,
    SubscriptionService subscriptions,
    IUserStore users,
    IServicePrincipalStore principals,
    TimeProvider time)
{
    /// <summary>The caller's role on the subscription, or null when it holds none there (or the subscription does not exist).</summary>
    public async Task<Role?> RoleOnAsync(PrincipalRef principal, Role? serverRole, string subscriptionId, CancellationToken cancellationToken)
    {
        if (await subscriptions.FindAsync(subscriptionId, cancellationToken) is not { } subscription)
        {
            return null;
        }

        if (principal.Kind == PrincipalKind.User && serverRole == Role.Owner)
        {
            return Role.Owner;
        }

        return (await store.FindAsync(principal.Kind, principal.Id, subscription.SubscriptionId, cancellationToken))?.Role;
    }

    /// <summary>The subscriptions the caller may see: every one for server Owners, else those it holds a role on.</summary>
    public async Task<IReadOnlyList<Subscription>> VisibleSubscriptionsAsync(PrincipalRef principal, Role? serverRole, CancellationToken cancellationToken)
    {
        var all = await subscriptions.ListAsync(cancellationToken);
        if (principal.Kind == PrincipalKind.User && serverRole == Role.Owner)
        {
            return all;
        }

        var held = (await store.ListAsync(principal.Kind, principal.Id, null, cancellationToken)).Select(a => a.SubscriptionId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. all.Where(s => held.Contains(s.SubscriptionId))];
    }

    /// <summary>Gives the principal the role on the subscription (the default one when none is named), replacing any role it held there.</summary>
    public async Task<RoleAssignment> AssignAsync(string principal, string roleName, string? subscriptionId, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<Role>(roleName, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            throw FerryException.BadRequest($"'{roleName}' is not a role: use Reader, Contributor or Owner.");
        }

        var who = await ResolveAsync(principal, cancellationToken);
        var subscription = await subscriptions.GetAsync(subscriptionId ?? await subscriptions.DefaultIdAsync(cancellationToken), cancellationToken);
        var assignment = new RoleAssignment(who.Kind, who.Id, who.DisplayName, subscription.SubscriptionId, role, time.GetUtcNow());
        await store.UpsertAsync(assignment, cancellationToken);
        return assignment;
    }

    /// <summary>Assigns a role to a principal already resolved (a new service principal on its new subscription).</summary>
    public Task AssignAsync(PrincipalRef principal, string subscriptionId, Role role, CancellationToken cancellationToken) =>
        store.UpsertAsync(new RoleAssignment(principal.Kind, principal.Id, principal.DisplayName, subscriptionId, role, time.GetUtcNow()), cancellationToken);

    public async Task<IReadOnlyList<RoleAssignment>> ListAsync(string? principal, string? subscriptionId, CancellationToken cancellationToken)
    {
        var who = principal is null ? null : await ResolveAsync(principal, cancellationToken);
        return await store.ListAsync(who?.Kind, who?.Id, subscriptionId, cancellationToken);
    }

    public async Task RemoveAsync(string principal, string? subscriptionId, CancellationToken cancellationToken)
    {
        var who = await ResolveAsync(principal, cancellationToken);
        var subscription = subscriptionId ?? await subscriptions.DefaultIdAsync(cancellationToken);
        if (!await store.RemoveAsync(who.Kind, who.Id, subscription, cancellationToken))
        {
            throw FerryException.NotFound($"'{principal}' holds no role on subscription '{subscription}'.");
        }
    }

    /// <summary>
    /// A user name, or a service principal's name or client id. <c>sp:</c> before the name says it
    /// is a service principal when a user has the same name.
    /// </summary>
    public async Task<PrincipalRef> ResolveAsync(string principal, CancellationToken cancellationToken)
    {
        var forceServicePrincipal = principal.StartsWith(ServicePrincipalService.LoginPrefix, StringComparison.OrdinalIgnoreCase);
        var name = forceServicePrincipal ? principal[ServicePrincipalService.LoginPrefix.Length..] : principal;
        if (!forceServicePrincipal && await users.FindByNameAsync(name, cancellationToken) is { } user)
        {
            return new PrincipalRef(PrincipalKind.User, user.Name, user.Name);
        }

        var sp = (await principals.ListAsync(cancellationToken)).FirstOrDefault(p =>
            string.Equals(p.ClientId, name, StringComparison.OrdinalIgnoreCase) || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        return sp is not null
            ? new PrincipalRef(PrincipalKind.ServicePrincipal, sp.ClientId, sp.Name)
            : throw FerryException.NotFound($"There is no user or service principal '{principal}'.");
    }
}
