using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Client;

/// <summary><c>ferry runs logs</c>: an Azure-ML run's driver log, whole or followed to the run's end.</summary>
internal static class RunsCommand
{
    private const string ArmVersion = "api-version=2019-11-01";
    private const string DriverLog = "azureml-logs/70_driver_log.txt";
    private static readonly string[] Finished = ["Completed", "Failed", "Canceled"];

    public static Command Create()
    {
        var runs = new Command("runs", "Azure-ML experiment runs on the logged-in server.");
        runs.Subcommands.Add(Logs());
        return runs;
    }

    private static Command Logs()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id (startrun's runId)." };
        var workspace = new Option<string>("--workspace", "-w") { Description = "The workspace: its ARM id, SUBSCRIPTION/GROUP/WORKSPACE or GROUP/WORKSPACE.", Required = true };
        var experiment = new Option<string?>("--experiment", "-e") { Description = "The run's experiment; looked up when left out." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the log gains until the run ends." };
        var output = ClientCommand.Output();
        var command = new Command("logs", "Print a run's driver log (its signed URL from the run's details).") { runId, workspace, experiment, follow, output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            using var client = await FerryClient.OpenAsync(ct);
            var ws = await WorkspaceRef.ResolveAsync(result.GetValue(workspace)!, client, ct);
            var id = result.GetValue(runId)!;
            var run = $"/history/v1.0{ws.Path}/experiments/{Uri.EscapeDataString(result.GetValue(experiment) ?? await ExperimentOfAsync(client, ws, id, ct))}/runs/{Uri.EscapeDataString(id)}";
            var json = result.GetValue(output) == OutputFormat.Json;
            var log = new StringBuilder();
            var decoder = Encoding.UTF8.GetDecoder(); // a character split between two reads comes out whole
            long offset = 0;
            JsonNode? details;
            while (true)
            {
                details = await client.GetAsync($"{run}/details?{ArmVersion}", ct);
                if (details?["logFiles"]?[DriverLog]?.GetValue<string>() is { } url)
                {
                    var gained = await client.GetSignedBytesFromAsync(url, offset, ct);
                    offset += gained.Length;
                    var text = new char[decoder.GetCharCount(gained, flush: false)];
                    decoder.GetChars(gained, text, flush: false);
                    if (json)
                    {
                        log.Append(text);
                    }
                    else
                    {
                        Console.Write(text);
                    }
                }

                if (!result.GetValue(follow) || Finished.Contains(ClientCommand.Text(details, "status")))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }

            if (json)
            {
                ClientCommand.WriteJson(new JsonObject { ["runId"] = id, ["status"] = ClientCommand.Text(details, "status"), ["log"] = log.ToString() });
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>The experiment holding the run: the run is looked for in each of the workspace's experiments.</summary>
    private static async Task<string> ExperimentOfAsync(FerryClient client, WorkspaceRef ws, string runId, CancellationToken cancellationToken)
    {
        var experiments = (await client.GetAsync($"/history/v1.0{ws.Path}/experiments?{ArmVersion}", cancellationToken))?["value"]?.AsArray() ?? [];
        foreach (var experiment in experiments.Select(e => ClientCommand.Text(e, "name")))
        {
            var runs = (await client.GetAsync($"/history/v1.0{ws.Path}/experiments/{Uri.EscapeDataString(experiment)}/runs?{ArmVersion}", cancellationToken))?["value"]?.AsArray() ?? [];
            if (runs.Any(r => ClientCommand.Text(r, "runId") == runId))
            {
                return experiment;
            }
        }

        throw new ClientException($"The workspace {ws.Group}/{ws.Name} has no run '{runId}'.");
    }
}
