using System.Text.Json.Nodes;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A compute's outer <c>properties</c>; the inner <c>properties</c> are the client's, with the node counts added.</summary>
public sealed record ComputeProperties(
    string ComputeType,
    string ComputeLocation,
    string? Description,
    ProvisioningState ProvisioningState,
    DateTimeOffset CreatedOn,
    DateTimeOffset ModifiedOn,
    string? ResourceId,
    IReadOnlyList<OperationError>? ProvisioningErrors,
    bool IsAttachedCompute,
    JsonObject Properties);
