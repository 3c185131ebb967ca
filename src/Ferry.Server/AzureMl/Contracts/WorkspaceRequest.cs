using Ferry.Core.Arm;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of a workspace PUT or PATCH (ARM's shape: the settable fields under <c>properties</c>).</summary>
public sealed record WorkspaceRequest(string? Location, Dictionary<string, string>? Tags, WorkspaceSku? Sku, WorkspaceRequestProperties? Properties)
{
    public WorkspaceChange ToChange() => new(Location, Properties?.FriendlyName, Properties?.Description, Sku?.Name, Tags);
}
