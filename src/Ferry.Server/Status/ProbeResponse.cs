namespace Ferry.Server.Status;

/// <summary>A probe's answer: <c>pass</c> (failures are the usual error body with a 503).</summary>
public sealed record ProbeResponse(string StatusCode);
