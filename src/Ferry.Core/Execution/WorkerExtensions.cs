using System.Text.Json.Nodes;

namespace Ferry.Core.Execution;

/// <summary>Shorthands for callers that bind plain JSON inputs and read plain outputs.</summary>
public static class WorkerExtensions
{
    /// <summary>
    /// <see cref="IWorker.ExecuteManyAsync"/> as one execution per record, all written at once (for a
    /// worker without a request of its own for it): the worker finds each next record waiting.
    /// </summary>
    public static async Task<IReadOnlyList<ExecutionResult?>> ExecuteEachAsync(
        this IWorker worker, ExecutionRequest request, IReadOnlyList<IReadOnlyList<InputValue>> records, CancellationToken cancellationToken)
    {
        var calls = new List<Task<ExecutionResult>>(records.Count);
        Exception? failed = null;
        foreach (var inputs in records)
        {
            try
            {
                calls.Add(worker.ExecuteAsync(request with { Inputs = inputs }, cancellationToken));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failed = ex; // not written: no later one is either
                break;
            }
        }

        // Every call written is awaited, even past a failure: none is left running when the caller lets the worker go.
        var results = new ExecutionResult?[records.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            try
            {
                results[i] = await calls[i];
            }
            catch (WorkerDiedException died)
            {
                results[i] = died.NotStarted ? null : ExecutionResult.Failed($"The worker running this record stopped: {died.Message}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failed ??= ex;
            }
        }

        return failed is null ? results : throw failed;
    }

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
