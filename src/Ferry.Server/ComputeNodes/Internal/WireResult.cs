using System.Text.Json.Nodes;
using Ferry.Core.Execution;

namespace Ferry.Server.ComputeNodes.Internal;

/// <summary>An <see cref="ExecutionResult"/> on the internal API, with where the call spent its time on the compute node.</summary>
internal sealed record WireResult(
    bool Success,
    string ErrorMessage,
    string ConsoleOutput,
    IReadOnlyList<WireOutput> OutputParameters,
    IReadOnlyList<string> ChangedFiles,
    IReadOnlyDictionary<string, string> OutputFiles,
    double? QueueMs,
    double? RunMs,
    bool Batched,
    int BatchSize)
{
    public static WireResult From(ExecutionResult result) => new(
        result.Success,
        result.ErrorMessage,
        result.ConsoleOutput,
        [.. result.OutputParameters.Select(p => new WireOutput(p.Name, p.Value))],
        result.ChangedFiles,
        result.OutputFiles,
        result.Timing?.Queue.TotalMilliseconds,
        result.Timing?.Run.TotalMilliseconds,
        result.Timing?.Batched ?? false,
        result.Timing?.BatchSize ?? 0);

    public ExecutionResult ToResult() => new(Success, ErrorMessage, ConsoleOutput, [.. OutputParameters.Select(p => (p.Name, p.Value))], ChangedFiles)
    {
        OutputFiles = OutputFiles,
        Timing = QueueMs is { } queue && RunMs is { } run ? new ExecutionTiming(TimeSpan.FromMilliseconds(queue), TimeSpan.FromMilliseconds(run), Batched, BatchSize) : null,
    };
}

/// <summary>One output parameter of a <see cref="WireResult"/>.</summary>
internal sealed record WireOutput(string Name, JsonNode? Value);
