using System.CommandLine;
using Ferry.Server;
using Ferry.Server.Hosting;

namespace Ferry.Cli;

/// <summary><c>ferry serve</c>: the web node and local compute node on the embedded defaults.</summary>
internal static class ServeCommand
{
    private const string AdminPasswordVariable = "FERRY_ADMIN_PASSWORD";

    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen (env FERRY_URLS; default {FerryServerOptions.DefaultUrls}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FERRY_URLS") is { Length: > 0 } u ? u : FerryServerOptions.DefaultUrls,
        };
        var role = new Option<string>("--role")
        {
            Description = "all (the default: the whole server in one process), web (the API; sessions, service calls and runs go to compute nodes) or compute (workers only, for web nodes) (env FERRY_ROLE).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FERRY_ROLE") is { Length: > 0 } r ? r : "all",
        };
        role.AcceptOnlyFromAmong("all", "web", "compute");
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("serve", $"Start the server. The first admin's password comes from env {AdminPasswordVariable} (else one is generated). Further --Section:Key=value arguments (or Section__Key environment variables) override settings.")
        {
            urls,
            role,
            dataDirectory,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["urls"] = result.GetValue(urls),
                ["Ferry:Node:Role"] = result.GetValue(role),
                [Ferry.Storage.StorageOptions.DataDirectoryKey] = result.GetValue(dataDirectory),
                ["Ferry:Server:AdminPassword"] = Environment.GetEnvironmentVariable(AdminPasswordVariable),
            };

            // Read once, then gone: no process this one starts (interpreters, runs) can inherit it.
            Environment.SetEnvironmentVariable(AdminPasswordVariable, null);
            await using var app = FerryServer.Build([.. result.UnmatchedTokens], settings);
            await app.RunAsync();
            return 0;
        });
        return command;
    }
}
