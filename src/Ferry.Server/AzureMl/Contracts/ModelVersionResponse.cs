namespace Ferry.Server.AzureMl.Contracts;

/// <summary>A registered model seen as an mfe model version.</summary>
public sealed record ModelVersionResponse(string Id, string Name, string Type, ModelVersionProperties Properties, SystemData SystemData);
