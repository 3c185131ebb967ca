namespace Ferry.Core.ServicePrincipals;

/// <summary>An application identity for automation: a client id and a secret stored hashed.</summary>
public sealed record ServicePrincipal(string ClientId, string Name, string SecretHash, DateTimeOffset CreatedAt);
