namespace Ferry.Server.AzureMl.Contracts;

/// <summary>The body of a code version PUT (mfe).</summary>
public sealed record CodeVersionRequest(CodeVersionProperties? Properties);
