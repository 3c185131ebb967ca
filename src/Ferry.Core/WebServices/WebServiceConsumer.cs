using Ferry.Core.Execution;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;

namespace Ferry.Core.WebServices;

/// <summary>
/// Consumes a web service: the inputs are checked against the declared ones (a missing, extra or
/// mistyped input is a 400 naming it), then one call runs on a worker of the service's pool. A
/// failure of the service's code is a result with success false, never an HTTP error.
/// </summary>
public sealed class WebServiceConsumer(WebServiceCatalog catalog, IServiceRunner runner)
{
    public Task<ExecutionResult> ConsumeAsync(string name, string version, JsonNode? body, CancellationToken cancellationToken)
    {
        var service = catalog.Get(name, version);
        if (body is not JsonObject inputs)
        {
            throw FerryException.BadRequest($"The body must be a JSON object of the inputs: {Describe(service.Inputs)}.");
        }

        var extra = inputs.Select(i => i.Key).FirstOrDefault(key => !service.Inputs.Any(p => p.Name == key));
        if (extra is not null)
        {
            throw FerryException.BadRequest($"'{extra}' is not an input of '{name}' version '{version}'; its inputs are {Describe(service.Inputs)}.");
        }

        var values = new List<InputValue>(service.Inputs.Count);
        foreach (var parameter in service.Inputs)
        {
            if (!inputs.TryGetPropertyValue(parameter.Name, out var value))
            {
                throw FerryException.BadRequest($"The input '{parameter.Name}' ({parameter.Type}) is missing.");
            }

            if (ParameterTypes.Problem(value, parameter.Type) is { } problem)
            {
                throw FerryException.BadRequest($"The input '{parameter.Name}' {problem}.");
            }

            values.Add(new InputValue(parameter.Name, value, parameter.Type));
        }

        return runner.RunAsync(service.Definition, new ServiceCall(values, [.. service.Outputs.Select(o => new OutputSpec(o.Name, o.Type))], service.OutputFileNames), cancellationToken);
    }

    private static string Describe(IReadOnlyList<ParameterDefinition> inputs) =>
        inputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => $"'{i.Name}' ({i.Type})"));
}
