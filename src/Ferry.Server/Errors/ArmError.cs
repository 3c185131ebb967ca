namespace Ferry.Server.Errors;

/// <summary>The inside of ARM's error envelope.</summary>
public sealed record ArmError(string Code, string Message);
