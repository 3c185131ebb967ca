using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Cli.Client;

/// <summary><c>ferry services list|show|consume|delete</c>: the ML Server service calls against the logged-in server.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var services = new Command("services", "List, show, consume and delete web services on the logged-in server.");
        services.Subcommands.Add(List());
        services.Subcommands.Add(Show());
        services.Subcommands.Add(Consume());
        services.Subcommands.Add(Delete());
        return services;
    }

    private static Command List()
    {
        var output = ClientCommand.Output();
        var command = new Command("list", "Every published version (GET /services).") { output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            using var client = await FerryClient.OpenAsync(ct);
            var services = await client.GetAsync("/services", ct);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                ClientCommand.WriteJson(services);
                return 0;
            }

            ClientCommand.WriteTable(
                ["NAME", "VERSION", "RUNTIME", "PUBLISHED BY", "CREATED", "DESCRIPTION"],
                services!.AsArray().Select(s => new[]
                {
                    ClientCommand.Text(s, "name"), ClientCommand.Text(s, "version"), ClientCommand.Text(s, "runtimeType"),
                    ClientCommand.Text(s, "versionPublishedBy"), ClientCommand.Text(s, "creationTime"), ClientCommand.Text(s, "description"),
                }));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The service's name." };
        var version = new Argument<string?>("version") { Description = "The version; every version when left out.", Arity = ArgumentArity.ZeroOrOne };
        var output = ClientCommand.Output();
        var command = new Command("show", "A service's definition: one version, or all of them.") { name, version, output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            using var client = await FerryClient.OpenAsync(ct);
            var path = $"/services/{Uri.EscapeDataString(result.GetValue(name)!)}";
            var answer = result.GetValue(version) is { } v
                ? await client.GetAsync($"{path}/{Uri.EscapeDataString(v)}", ct)
                : await client.GetAsync(path, ct);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                ClientCommand.WriteJson(answer);
                return 0;
            }

            var versions = answer is JsonArray array ? [.. array] : new[] { answer };
            if (versions.Length == 0)
            {
                throw new ClientException($"There is no service '{result.GetValue(name)}'.");
            }

            foreach (var service in versions)
            {
                Describe(service);
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static void Describe(JsonNode? service)
    {
        string Parameters(string field) =>
            string.Join(", ", (service?[field]?.AsArray() ?? []).Select(p => $"{ClientCommand.Text(p, "name")} ({ClientCommand.Text(p, "type")})")) is { Length: > 0 } list ? list : "none";

        ClientCommand.WriteTable(["FIELD", "VALUE"],
        [
            ["Name", ClientCommand.Text(service, "name")],
            ["Version", ClientCommand.Text(service, "version")],
            ["Runtime", ClientCommand.Text(service, "runtimeType")],
            ["Published by", ClientCommand.Text(service, "versionPublishedBy")],
            ["Created", ClientCommand.Text(service, "creationTime")],
            ["Description", ClientCommand.Text(service, "description")],
            ["Inputs", Parameters("inputParameterDefinitions")],
            ["Outputs", Parameters("outputParameterDefinitions")],
            ["Permission", ClientCommand.Text(service, "myPermissionOnService")],
        ]);
        Console.WriteLine("Code:");
        Console.WriteLine(ClientCommand.Text(service, "code"));
        Console.WriteLine();
    }

    private static Command Consume()
    {
        var name = new Argument<string>("name") { Description = "The service's name." };
        var version = new Argument<string>("version") { Description = "The version." };
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "An input as name=value; the value is read as JSON when it is JSON (7, true, [7,3.2]), else as text. Repeat for each input.",
        };
        var json = new Option<string?>("--json") { Description = "All inputs as one JSON object, e.g. '{\"flower_data\":[7,3.2,4.7,1.4]}'." };
        var output = ClientCommand.Output();
        var command = new Command("consume", "Call a service version with inputs (POST /api/{name}/{version}); exits 1 when its code fails.") { name, version, inputs, json, output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            var body = Body(result.GetValue(inputs) ?? [], result.GetValue(json));
            using var client = await FerryClient.OpenAsync(ct);
            var answer = await client.PostAsync($"/api/{Uri.EscapeDataString(result.GetValue(name)!)}/{Uri.EscapeDataString(result.GetValue(version)!)}", body, ct);
            var success = answer?["success"]?.GetValue<bool>() == true;
            if (result.GetValue(output) == OutputFormat.Json)
            {
                ClientCommand.WriteJson(answer);
                return success ? 0 : 1;
            }

            var outputs = answer?["outputParameters"]?.AsObject() ?? [];
            ClientCommand.WriteTable(["OUTPUT", "VALUE"], outputs.Select(o => new[] { o.Key, o.Value?.ToJsonString() ?? "null" }));
            if (ClientCommand.Text(answer, "consoleOutput") is { Length: > 0 } console)
            {
                Console.WriteLine($"Console:\n{console.TrimEnd()}");
            }

            if (!success)
            {
                await Console.Error.WriteLineAsync($"ferry: the service's code failed: {ClientCommand.Text(answer, "errorMessage")}");
            }

            return success ? 0 : 1;
        }, cancellationToken));
        return command;
    }

    /// <summary>The consume body from <c>--json</c> or the <c>--input</c> pairs (not both).</summary>
    private static JsonObject Body(string[] inputs, string? json)
    {
        if (json is not null)
        {
            if (inputs.Length > 0)
            {
                throw new ClientException("Give the inputs either as --json or as --input pairs, not both.");
            }

            try
            {
                return JsonNode.Parse(json) as JsonObject ?? throw new ClientException("--json must be a JSON object, e.g. '{\"x\": 1}'.");
            }
            catch (JsonException ex)
            {
                throw new ClientException($"--json is not valid JSON: {ex.Message}");
            }
        }

        var body = new JsonObject();
        foreach (var input in inputs)
        {
            var equals = input.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ClientException($"--input '{input}' is not name=value.");
            }

            var (key, text) = (input[..equals], input[(equals + 1)..]);
            if (body.ContainsKey(key))
            {
                throw new ClientException($"--input '{key}' is given twice.");
            }

            body[key] = ParseValue(text);
        }

        return body;
    }

    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The service's name." };
        var version = new Argument<string>("version") { Description = "The version to delete." };
        var output = ClientCommand.Output();
        var command = new Command("delete", "Delete a service version (DELETE /services/{name}/{version}).") { name, version, output };
        command.SetAction((result, cancellationToken) => ClientCommand.RunAsync(result.GetValue(output), async ct =>
        {
            using var client = await FerryClient.OpenAsync(ct);
            var answer = await client.DeleteAsync($"/services/{Uri.EscapeDataString(result.GetValue(name)!)}/{Uri.EscapeDataString(result.GetValue(version)!)}", ct);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                ClientCommand.WriteJson(answer);
            }
            else
            {
                Console.WriteLine($"Deleted {result.GetValue(name)} {result.GetValue(version)}.");
            }

            return 0;
        }, cancellationToken));
        return command;
    }
}
