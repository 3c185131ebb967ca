namespace Ferry.Core.Arm;

/// <summary>Workspaces (section <c>Ferry:Workspaces</c>).</summary>
public sealed class WorkspaceOptions
{
    public const string Section = "Ferry:Workspaces";

    /// <summary>Where workspaces keep their files; the server sets it under the data directory.</summary>
    public string Directory { get; set; } = "";
}
