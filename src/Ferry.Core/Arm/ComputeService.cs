using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Errors;

namespace Ferry.Core.Arm;

/// <summary>Computes of a workspace: created <c>Creating</c>, provisioned in the background to <c>Succeeded</c>.</summary>
public sealed partial class ComputeService(IComputeStore store, WorkspaceService workspaces, ArmOperationService operations, TimeProvider time)
{
    public static readonly IReadOnlyList<string> UnderlyingResourceActions = ["Delete", "Detach"];

    /// <summary>Creates (with an operation to poll) or updates a compute.</summary>
    public async Task<(Compute Compute, ArmOperation? Operation)> PutAsync(
        string resourceGroup, string workspaceName, string name, string? location, JsonObject? properties, CancellationToken cancellationToken)
    {
        ArmLocation.Check(location);
        if (!ValidName().IsMatch(name))
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"Compute name '{name}' is invalid: use 2 to 16 letters, digits and '-', starting with a letter.", code: "InvalidResourceName");
        }

        var workspace = await workspaces.GetAsync(resourceGroup, workspaceName, cancellationToken);
        var computeType = properties?["computeType"]?.GetValueKind() == JsonValueKind.String ? properties["computeType"]!.GetValue<string>() : null;
        if (computeType != "AmlCompute")
        {
            throw new FerryException(FerryErrorKind.BadRequest, $"properties.computeType must be 'AmlCompute' (a local execution target here); got '{computeType}'.", code: "InvalidPropertyValue");
        }

        var inner = properties!["properties"] as JsonObject ?? [];
        var maxNodes = (inner["scaleSettings"] as JsonObject)?["maxNodeCount"];
        if (maxNodes?.GetValueKind() != JsonValueKind.Number || !maxNodes.AsValue().TryGetValue<int>(out var max) || max < 1)
        {
            throw new FerryException(FerryErrorKind.BadRequest, "properties.properties.scaleSettings.maxNodeCount is required and must be a whole number of at least 1.", code: "InvalidPropertyValue");
        }

        var description = properties["description"]?.GetValueKind() == JsonValueKind.String ? properties["description"]!.GetValue<string>() : "";
        var now = time.GetUtcNow();
        var existing = await store.FindAsync(workspace.ResourceGroup, workspace.Name, name, cancellationToken);
        if (existing is not null)
        {
            var updated = existing with { Description = description, Properties = (JsonObject)inner.DeepClone(), ModifiedAt = now };
            await store.UpsertAsync(updated, cancellationToken);
            return (updated, null);
        }

        var compute = new Compute(workspace.ResourceGroup, workspace.Name, name, location ?? workspace.Location, computeType, description, (JsonObject)inner.DeepClone(), "Creating", now, now);
        await store.UpsertAsync(compute, cancellationToken);
        var operation = await operations.StartAsync(
            $"{workspace.ResourceGroup}/{workspace.Name}/{name}",
            () => store.UpsertAsync(compute with { ProvisioningState = "Succeeded", ModifiedAt = time.GetUtcNow() }, CancellationToken.None),
            () => store.UpsertAsync(compute with { ProvisioningState = "Failed" }, CancellationToken.None),
            cancellationToken);
        return (compute, operation);
    }

    public async Task<Compute> GetAsync(string resourceGroup, string workspace, string name, CancellationToken cancellationToken) =>
        await store.FindAsync(resourceGroup, workspace, name, cancellationToken)
            ?? throw new FerryException(FerryErrorKind.NotFound, $"Compute '{name}' was not found in workspace '{workspace}'.", code: "ResourceNotFound");

    public async Task<IReadOnlyList<Compute>> ListAsync(string resourceGroup, string workspace, CancellationToken cancellationToken)
    {
        var found = await workspaces.GetAsync(resourceGroup, workspace, cancellationToken);
        return await store.ListAsync(found.ResourceGroup, found.Name, cancellationToken);
    }

    /// <summary>Removes the compute; <paramref name="underlyingResourceAction"/> (Delete or Detach) is required as in ARM.</summary>
    public async Task DeleteAsync(string resourceGroup, string workspace, string name, string? underlyingResourceAction, CancellationToken cancellationToken)
    {
        if (underlyingResourceAction is null || !UnderlyingResourceActions.Contains(underlyingResourceAction, StringComparer.OrdinalIgnoreCase))
        {
            throw new FerryException(
                FerryErrorKind.BadRequest,
                $"The query parameter underlyingResourceAction is required: one of {string.Join(", ", UnderlyingResourceActions)}.",
                code: "MissingRequiredParameter");
        }

        if (!await store.DeleteAsync(resourceGroup, workspace, name, cancellationToken))
        {
            throw new FerryException(FerryErrorKind.NotFound, $"Compute '{name}' was not found in workspace '{workspace}'.", code: "ResourceNotFound");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{1,15}\\z")]
    private static partial Regex ValidName();
}
