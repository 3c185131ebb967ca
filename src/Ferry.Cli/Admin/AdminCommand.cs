using System.CommandLine;
using Ferry.Core.Errors;

namespace Ferry.Cli;

/// <summary><c>ferry admin ...</c>: administration straight on the data directory, also while the server runs.</summary>
internal static class AdminCommand
{
    public static Command Create()
    {
        var admin = new Command("admin", "Administer a Ferry data directory.");
        admin.Subcommands.Add(UserCommands.Create());
        admin.Subcommands.Add(ServicePrincipalCommands.Create());
        admin.Subcommands.Add(RoleCommands.Create());
        admin.Subcommands.Add(RoleCommands.Subscriptions());
        return admin;
    }

    /// <summary>Runs an admin action; a domain failure is a one-line message and exit code 1.</summary>
    public static async Task<int> RunAsync(string dataDirectory, Func<AdminContext, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var context = await AdminContext.OpenAsync(dataDirectory, cancellationToken);
            await action(context, cancellationToken);
            return 0;
        }
        catch (FerryException ex)
        {
            await Console.Error.WriteLineAsync($"ferry: {ex.Message}");
            return 1;
        }
    }
}
