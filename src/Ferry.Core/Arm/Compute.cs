using System.Text.Json.Nodes;

namespace Ferry.Core.Arm;

/// <summary>
/// A compute target of a workspace. An <c>AmlCompute</c> is a local execution target:
/// <c>scaleSettings.maxNodeCount</c> caps its concurrent runs; the rest of its properties is kept as given.
/// </summary>
public sealed record Compute(
    string ResourceGroup,
    string Workspace,
    string Name,
    string Location,
    string ComputeType,
    string Description,
    JsonObject Properties,
    string ProvisioningState,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt)
{
    /// <summary>Runs at once on this target at most.</summary>
    public int MaxNodeCount => Properties["scaleSettings"]?["maxNodeCount"]?.GetValue<int>() ?? 1;
}
