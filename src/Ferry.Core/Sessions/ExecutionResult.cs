using System.Text.Json.Nodes;

namespace Ferry.Core.Sessions;

/// <summary>One execution's outcome, as the worker reports it.</summary>
public sealed record ExecutionResult(
    bool Success,
    string ErrorMessage,
    string ConsoleOutput,
    IReadOnlyList<(string Name, JsonNode? Value)> OutputParameters,
    IReadOnlyList<string> ChangedFiles);

/// <summary>The worker died or was killed; its session cannot go on.</summary>
public sealed class WorkerDiedException(string message) : Exception(message);
