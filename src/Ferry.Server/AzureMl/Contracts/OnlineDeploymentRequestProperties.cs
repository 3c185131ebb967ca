namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The settable <c>properties</c> of an online deployment.</summary>
public sealed record OnlineDeploymentRequestProperties(ModelReference? Model, CodeConfiguration? CodeConfiguration, ScaleSettingsRequest? ScaleSettings);
