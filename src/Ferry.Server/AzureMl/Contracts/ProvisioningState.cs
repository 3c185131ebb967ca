using System.Text.Json.Serialization;

namespace Ferry.Server.AzureMl.Contracts;

/// <summary>ARM's <c>provisioningState</c>, written with these exact names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProvisioningState>))]
public enum ProvisioningState
{
    Creating,
    Updating,
    Deleting,
    Succeeded,
    Failed,
    Canceled,
}
