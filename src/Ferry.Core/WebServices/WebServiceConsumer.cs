using System.Text.Json.Nodes;
using Ferry.Core.Diagnostics;
using Ferry.Core.Errors;
using Ferry.Core.Execution;

namespace Ferry.Core.WebServices;

/// <summary>
/// Consumes a web service: the inputs are checked against the declared ones (a missing, extra or
/// mistyped input is a 400 naming it), then one call runs on a worker of the service's pool. A
/// failure of the service's code is a result with success false, never an HTTP error. Each call of an
/// existing version is recorded once, with its outcome and time (<see cref="FerryMetrics"/>).
/// </summary>
public sealed class WebServiceConsumer(WebServiceCatalog catalog, IServiceRunner runner, FerryMetrics metrics)
{
    public Task<ExecutionResult> ConsumeAsync(string name, string version, JsonNode? body, CancellationToken cancellationToken)
    {
        var service = catalog.Get(name, version);
        return metrics.For(service.Name, service.Version).MeasureAsync(
            (runner, service, body, cancellationToken),
            static s => s.runner.RunAsync(s.service.Definition, CallFor(s.service, s.body), s.cancellationToken));
    }

    /// <summary>Calls of <paramref name="service"/> one behind the other on one of its batch workers (a batch's chunk); null: did not run.</summary>
    public Task<IReadOnlyList<ExecutionResult?>> RunManyAsync(WebService service, IReadOnlyList<ServiceCall> calls, CancellationToken cancellationToken) =>
        runner.RunManyAsync(service.Definition, calls, cancellationToken);

    /// <summary>
    /// The call for one input object, or a 400 naming the missing, extra or mistyped input;
    /// <paramref name="where"/> (e.g. "Record 3: ") starts the message.
    /// </summary>
    public static ServiceCall CallFor(WebService service, JsonNode? body, string where = "")
    {
        if (body is not JsonObject inputs)
        {
            throw FerryException.BadRequest($"{where}The body must be a JSON object of the inputs: {Describe(service.Inputs)}.");
        }

        var extra = inputs.Select(i => i.Key).FirstOrDefault(key => !service.Inputs.Any(p => p.Name == key));
        if (extra is not null)
        {
            throw FerryException.BadRequest($"{where}'{extra}' is not an input of '{service.Name}' version '{service.Version}'; its inputs are {Describe(service.Inputs)}.");
        }

        var values = new List<InputValue>(service.Inputs.Count);
        foreach (var parameter in service.Inputs)
        {
            if (!inputs.TryGetPropertyValue(parameter.Name, out var value))
            {
                throw FerryException.BadRequest($"{where}The input '{parameter.Name}' ({parameter.Type}) is missing.");
            }

            if (ParameterTypes.Problem(value, parameter.Type) is { } problem)
            {
                throw FerryException.BadRequest($"{where}The input '{parameter.Name}' {problem}.");
            }

            values.Add(new InputValue(parameter.Name, value, parameter.Type));
        }

        return new ServiceCall(values, [.. service.Outputs.Select(o => new OutputSpec(o.Name, o.Type))], service.OutputFileNames);
    }

    private static string Describe(IReadOnlyList<ParameterDefinition> inputs) =>
        inputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => $"'{i.Name}' ({i.Type})"));
}
