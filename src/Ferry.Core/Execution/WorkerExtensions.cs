using System.Text.Json.Nodes;

namespace Ferry.Core.Execution;

/// <summary>Shorthands for callers that bind plain JSON inputs and read plain outputs.</summary>
public static class WorkerExtensions
{
    public static Task<ExecutionResult> ExecuteAsync(
        this IWorker worker,
        string code,
        IReadOnlyList<(string Name, JsonNode? Value)> inputs,
        IReadOnlyList<string> outputs,
        CancellationToken cancellationToken) =>
        worker.ExecuteAsync(
            new ExecutionRequest(code, [.. inputs.Select(i => new InputValue(i.Name, i.Value))], [.. outputs.Select(o => new OutputSpec(o))]),
            cancellationToken);
}
