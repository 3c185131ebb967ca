namespace Ferry.Server.AzureMl.Contracts;

/// <summary>An online deployment in the mfe shape.</summary>
public sealed record OnlineDeploymentResponse(string Id, string Name, string Type, string Location, OnlineDeploymentProperties Properties);
