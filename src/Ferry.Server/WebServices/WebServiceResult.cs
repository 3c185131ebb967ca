using System.Text.Json.Nodes;

namespace Ferry.Server.WebServices;

/// <summary>The consume response: outputs keyed by name, output files as base64.</summary>
public sealed record WebServiceResult(
    bool Success,
    string ErrorMessage,
    string ConsoleOutput,
    IReadOnlyList<string> ChangedFiles,
    JsonObject OutputParameters,
    IReadOnlyDictionary<string, string> OutputFiles);
