using System.Text.Json.Serialization;

namespace Ferry.Execution.Protocol;

/// <summary>
/// The <c>execute</c> request: code run with its inputs bound, answering the named outputs (converted
/// by their <c>OutputTypes</c>) and working-directory files. <c>StartBy</c> is a CLOCK_MONOTONIC time
/// in nanoseconds: a call whose turn comes later answers <c>expired</c> unrun.
/// </summary>
internal sealed record ExecuteMessage(
    string Code,
    IReadOnlyList<InputMessage> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, string> OutputTypes,
    IReadOnlyList<string> OutputFiles,
    bool Isolated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? StartBy)
{
    public string Type { get; } = "execute";
}
