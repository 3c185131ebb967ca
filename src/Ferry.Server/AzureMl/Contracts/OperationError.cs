namespace Ferry.Server.AzureMl.Contracts;

/// <summary>Why an operation failed.</summary>
public sealed record OperationError(string Code, string Message);
