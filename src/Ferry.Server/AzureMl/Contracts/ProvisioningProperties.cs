namespace Ferry.Server.AzureMl.Contracts;

/// <summary>ARM's <c>properties.provisioningState</c>.</summary>
public sealed record ProvisioningProperties(ProvisioningState ProvisioningState);
