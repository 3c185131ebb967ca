using System.Text.Json.Nodes;
using Ferry.Core.Text;

namespace Ferry.Core.Execution;

/// <summary>One execution's outcome, as the worker reports it.</summary>
public sealed record ExecutionResult(
    bool Success,
    string ErrorMessage,
    string ConsoleOutput,
    IReadOnlyList<(string Name, JsonNode? Value)> OutputParameters,
    IReadOnlyList<string> ChangedFiles)
{
    /// <summary>Requested output files by name, base64-encoded.</summary>
    public IReadOnlyDictionary<string, string> OutputFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the call spent its time, when a pool or batcher measured it.</summary>
    public ExecutionTiming? Timing { get; init; }

    /// <summary>A failed execution that never reached the interpreter's code, e.g. because the worker died.</summary>
    public static ExecutionResult Failed(string message) => new(false, message, "", [], []);

    /// <summary>
    /// This result, or a failed one naming the output when an output holds text JSON cannot carry
    /// (an unpaired UTF-16 surrogate, which Python strings may hold): the caller gets a failed
    /// execution with the reason, never a response that breaks while it is written.
    /// </summary>
    public ExecutionResult Sendable()
    {
        foreach (var (name, value) in OutputParameters)
        {
            if (!UnpairedSurrogates.IsEncodable(value))
            {
                return this with
                {
                    Success = false,
                    ErrorMessage = $"The output '{name}' holds text that is not valid Unicode (an unpaired UTF-16 surrogate), so it cannot be sent as JSON.",
                    OutputParameters = [],
                    OutputFiles = new Dictionary<string, string>(),
                };
            }
        }

        return this;
    }
}
