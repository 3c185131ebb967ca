using System.Text.Json.Serialization;

namespace Ferry.Execution.Protocol;

/// <summary>
/// Every request but <c>execute</c>: <c>workspace_list</c>, <c>workspace_get</c> and
/// <c>workspace_delete</c> (a <paramref name="Name"/>), <c>workspace_set</c> (and its base64
/// <paramref name="Data"/>), <c>save_workspace</c> and <c>load_workspace</c> (a <paramref name="Path"/>
/// under the run directory), <c>fork</c> (a socket <paramref name="Path"/>, a <paramref name="Token"/> and a
/// <paramref name="Directory"/> for the copy), <c>kill</c> (a copy's <paramref name="Pid"/>), <c>ping</c>, <c>shutdown</c>.
/// </summary>
internal sealed record WorkerMessage(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Directory = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Pid = null)
{
    public static readonly WorkerMessage Shutdown = new("shutdown");

    public static readonly WorkerMessage WorkspaceList = new("workspace_list");
}
