namespace Ferry.Server.Errors;

/// <summary>ARM's error envelope: <c>{"error":{"code","message"}}</c>.</summary>
public sealed record ArmErrorResponse(ArmError Error);
