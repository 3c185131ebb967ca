using System.CommandLine;
using System.Text.Json;

namespace Ferry.Cli;

/// <summary><c>ferry admin sp create|list|remove</c>: service principals for the Azure-ML plane.</summary>
internal static class ServicePrincipalCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var sp = new Command("sp", "Manage service principals (client-credential logins for the Azure-ML API).");
        sp.Subcommands.Add(Add());
        sp.Subcommands.Add(List());
        sp.Subcommands.Add(Remove());
        return sp;
    }

    private static Command Add()
    {
        var name = new Option<string>("--name") { Description = "The principal's name.", Required = true };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("create", "Create a service principal, Contributor on a new subscription of its own; prints {tenantId, subscriptionId, clientId, clientSecret} once.") { name, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) => Console.WriteLine(JsonSerializer.Serialize(await context.ServicePrincipals.CreateAsync(result.GetValue(name)!, ct), Json)),
            cancellationToken));
        return command;
    }

    private static Command List()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("list", "List service principals (never their secrets).") { dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                foreach (var p in await context.ServicePrincipals.ListAsync(ct))
                {
                    Console.WriteLine($"{p.Name,-32} {p.ClientId} {p.CreatedAt:yyyy-MM-dd HH:mm:ss}Z");
                }
            },
            cancellationToken));
        return command;
    }

    private static Command Remove()
    {
        var which = new Argument<string>("client-id-or-name") { Description = "The principal's client id or name." };
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("remove", "Remove a service principal; its tokens stop working.") { which, dataDirectory };
        command.SetAction((result, cancellationToken) => AdminCommand.RunAsync(
            result.GetValue(dataDirectory)!,
            async (context, ct) =>
            {
                await context.ServicePrincipals.RemoveAsync(result.GetValue(which)!, ct);
                Console.WriteLine($"Removed service principal '{result.GetValue(which)}'.");
            },
            cancellationToken));
        return command;
    }
}
