namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A deployment's scale: a fixed number of workers.</summary>
public sealed record ScaleSettings(string ScaleType, int InstanceCount);
