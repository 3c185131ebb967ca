using System.CommandLine;
using Ferry.Cli;
using Ferry.Cli.Client;

var root = new RootCommand("Ferry: an ML operationalization server (ML Server 9.x and Azure ML compatible APIs).");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(AdminCommand.Create());
root.Subcommands.Add(LoginCommand.Create());
root.Subcommands.Add(ServicesCommand.Create());
root.Subcommands.Add(RunsCommand.Create());

// The host handles Ctrl+C and SIGTERM itself and shuts down gracefully.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
