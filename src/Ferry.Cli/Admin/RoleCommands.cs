using System.CommandLine;

namespace Ferry.Cli;

/// <summary>
/// <c>ferry admin role assign|list|remove</c>: ARM-style role assignments (Reader, Contributor,
/// Owner) of users and service principals at subscription scope, for the Azure-ML plane.
/// </summary>
internal static class RoleCommands
{
    public static Command Create()
    {
        var role = new Command("role", "Manage Azure-ML role assignments (a user or service principal's role on a subscription).");
        role.Subcommands.Add(Assign());
        role.Subcommands.Add(List());
        role.Subcommands.Add(Remove());
        return role;
    }

    private static Command Assign()
    {
        var principal = PrincipalArgument();
        var roleName = new Argument<string>("role") { Description = "Reader, Contributor or Owner." };
        var subscription = SubscriptionOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("assign", "Give a principal a role on a subscription (replacing the role it held there).") { principal, roleName, subscription, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                var a = await context.Roles.AssignAsync(result.GetValue(principal)!, result.GetValue(roleName)!, result.GetValue(subscription), ct);
                Console.WriteLine($"{a.PrincipalKind} '{a.PrincipalName}' is {a.Role} on subscription {a.SubscriptionId}.");
            },
            cancellationToken));
        return command;
    }

    private static Command List()
    {
        var principal = new Option<string>("--principal") { Description = "Only this user or service principal's assignments." };
        var subscription = new Option<string>("--subscription") { Description = "Only this subscription's assignments." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("list", "List role assignments.") { principal, subscription, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                foreach (var a in await context.Roles.ListAsync(result.GetValue(principal), result.GetValue(subscription), ct))
                {
                    Console.WriteLine($"{a.SubscriptionId} {a.Role,-12} {a.PrincipalKind,-16} {a.PrincipalName} ({a.PrincipalId})");
                }
            },
            cancellationToken));
        return command;
    }

    private static Command Remove()
    {
        var principal = PrincipalArgument();
        var subscription = SubscriptionOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("remove", "Remove a principal's role on a subscription; it applies to its next request.") { principal, subscription, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                await context.Roles.RemoveAsync(result.GetValue(principal)!, result.GetValue(subscription), ct);
                Console.WriteLine($"Removed the role of '{result.GetValue(principal)}'.");
            },
            cancellationToken));
        return command;
    }

    /// <summary><c>ferry admin subscription list</c>: the ids role assignments name.</summary>
    public static Command Subscriptions()
    {
        var list = new Command("list", "List the subscriptions (the default one first, then one per service principal made by 'sp create').");
        var dataDirectory = CommonOptions.DataDirectory();
        list.Options.Add(dataDirectory);
        list.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                foreach (var s in await context.Subscriptions.ListAsync(ct))
                {
                    Console.WriteLine($"{s.SubscriptionId} {s.DisplayName,-32} {s.CreatedAt:yyyy-MM-dd HH:mm:ss}Z");
                }
            },
            cancellationToken));
        var subscription = new Command("subscription", "Azure-ML subscriptions of this server.");
        subscription.Subcommands.Add(list);
        return subscription;
    }

    private static Argument<string> PrincipalArgument() =>
        new("principal") { Description = "A user name, or a service principal's name or client id (sp:NAME when a user has the same name)." };

    private static Option<string> SubscriptionOption() =>
        new("--subscription") { Description = "The subscription id (default: the server's default subscription)." };
}
