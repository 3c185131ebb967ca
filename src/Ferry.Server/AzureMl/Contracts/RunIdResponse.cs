namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The answer to <c>startrun</c> and <c>cancel</c>.</summary>
public sealed record RunIdResponse(string RunId);
