namespace Ferry.Server.AzureMl;

/// <summary>ARM's <c>properties.provisioningState</c>.</summary>
public sealed record ProvisioningProperties(string ProvisioningState);
