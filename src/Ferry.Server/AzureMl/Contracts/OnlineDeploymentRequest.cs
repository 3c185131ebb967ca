namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of an online deployment PUT.</summary>
public sealed record OnlineDeploymentRequest(string? Location, OnlineDeploymentRequestProperties? Properties);
