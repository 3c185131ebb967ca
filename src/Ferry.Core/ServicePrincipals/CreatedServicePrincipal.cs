namespace Ferry.Core.ServicePrincipals;

/// <summary>A new service principal with its secret, shown this once.</summary>
public sealed record CreatedServicePrincipal(string TenantId, string SubscriptionId, string ClientId, string ClientSecret);
