namespace Ferry.Server.AzureMl.Contracts;

/// <summary>Why a run failed, in Azure ML's doubled <c>error.error</c> envelope.</summary>
public sealed record RunErrorResponse(OperationError Error);
