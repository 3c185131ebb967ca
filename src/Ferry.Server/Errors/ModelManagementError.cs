namespace Ferry.Server.Errors;

/// <summary>Model management's unwrapped error: <c>{code, statusCode, message}</c>.</summary>
public sealed record ModelManagementError(string Code, int StatusCode, string Message);
