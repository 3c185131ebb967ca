namespace Ferry.Server.Sessions;

/// <summary>A JSON message where the contract returns a bare string: clients call <c>.json()</c> on it.</summary>
public sealed record MessageResponse(string Message);
