using System.CommandLine;
using Ferry.Core.Errors;
using Ferry.Core.Users;

namespace Ferry.Cli;

/// <summary><c>ferry admin user add|list|set-password|set-role|remove</c>.</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var user = new Command("user", "Manage local users.");
        user.Subcommands.Add(Add());
        user.Subcommands.Add(List());
        user.Subcommands.Add(SetPassword());
        user.Subcommands.Add(SetRole());
        user.Subcommands.Add(Remove());
        return user;
    }

    private static Command Add()
    {
        var name = NameArgument();
        var role = new Option<string>("--role") { Description = "Owner, Contributor or Reader.", DefaultValueFactory = _ => nameof(Role.Contributor) };
        var password = PasswordOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("add", "Add a user (default role Contributor).") { name, role, password, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                var added = await context.Users.AddAsync(result.GetValue(name)!, ReadPassword(result.GetValue(password)), ParseRole(result.GetValue(role)), ct);
                Console.WriteLine($"Added user '{added.Name}' with role {added.Role}.");
            },
            cancellationToken));
        return command;
    }

    private static Command List()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("list", "List users and their roles.") { dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                foreach (var u in await context.Users.ListAsync(ct))
                {
                    Console.WriteLine($"{u.Name,-32} {u.Role,-12} {u.CreatedAt:yyyy-MM-dd HH:mm:ss}Z");
                }
            },
            cancellationToken));
        return command;
    }

    private static Command SetPassword()
    {
        var name = NameArgument();
        var password = PasswordOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("set-password", "Set a user's password; their current logins are revoked.") { name, password, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                await context.Users.SetPasswordAsync(result.GetValue(name)!, ReadPassword(result.GetValue(password)), ct);
                Console.WriteLine($"Password of '{result.GetValue(name)}' changed; their logins are revoked.");
            },
            cancellationToken));
        return command;
    }

    private static Command SetRole()
    {
        var name = NameArgument();
        var role = new Argument<string>("role") { Description = "Owner, Contributor or Reader." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("set-role", "Set a user's role; it applies from their next login or token renewal.") { name, role, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                var parsed = ParseRole(result.GetValue(role));
                await context.Users.SetRoleAsync(result.GetValue(name)!, parsed, ct);
                Console.WriteLine($"'{result.GetValue(name)}' is now {parsed}.");
            },
            cancellationToken));
        return command;
    }

    private static Command Remove()
    {
        var name = NameArgument();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("remove", "Remove a user; their logins end.") { name, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                await context.Users.RemoveAsync(result.GetValue(name)!, ct);
                Console.WriteLine($"Removed user '{result.GetValue(name)}'.");
            },
            cancellationToken));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The user name." };

    private static Option<string?> PasswordOption() => new("--password")
    {
        Description = "The password; when left out it is read from the first line of standard input.",
    };

    private static string ReadPassword(string? given)
    {
        if (given is not null)
        {
            return given;
        }

        if (!Console.IsInputRedirected)
        {
            Console.Error.Write("Password: ");
        }

        return Console.ReadLine() ?? throw FerryException.BadRequest("No password given: pass --password or write it to standard input.");
    }

    private static Role ParseRole(string? value) =>
        Enum.TryParse<Role>(value, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw FerryException.BadRequest($"'{value}' is not a role; use Owner, Contributor or Reader.");
}
