namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A workspace's system-assigned identity.</summary>
public sealed record WorkspaceIdentity(string Type, string PrincipalId, string TenantId);
