using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Client;

/// <summary><c>ferry login</c>: signs in to a running server and keeps the tokens for the other client verbs.</summary>
internal static class LoginCommand
{
    private const string PasswordVariable = "FERRY_PASSWORD";

    public static Command Create()
    {
        var server = new Option<string>("--server")
        {
            Description = "The server's URL (env FERRY_SERVER; default http://127.0.0.1:12800).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FERRY_SERVER") is { Length: > 0 } s ? s : "http://127.0.0.1:12800",
        };
        var userName = new Option<string>("--username", "-u") { Description = "The user to sign in as.", Required = true };
        var password = new Option<string?>("--password", "-p") { Description = $"The password; else env {PasswordVariable}, else asked for." };
        var output = ClientCommand.Output();
        var command = new Command("login", "Sign in to a Ferry server; the token is kept (owner-only) for the client verbs.") { server, userName, password, output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            var credentials = await FerryClient.LoginAsync(result.GetValue(server)!, result.GetValue(userName)!, ReadPassword(result.GetValue(password)), ct);
            await CredentialStore.SaveAsync(credentials, ct);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                ClientCommand.WriteJson(new JsonObject { ["server"] = credentials.Server, ["username"] = credentials.UserName, ["credentials"] = CredentialStore.FilePath });
            }
            else
            {
                Console.WriteLine($"Logged in to {credentials.Server} as {credentials.UserName}; the token is in {CredentialStore.FilePath}.");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static string ReadPassword(string? given)
    {
        if (given is not null)
        {
            return given;
        }

        if (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            return Console.ReadLine() ?? throw new ClientException($"No password given: pass --password, set {PasswordVariable} or write it to standard input.");
        }

        // Asked at the terminal without echo.
        Console.Error.Write("Password: ");
        var typed = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }
}
