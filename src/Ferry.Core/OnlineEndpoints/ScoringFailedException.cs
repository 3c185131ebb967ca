namespace Ferry.Core.OnlineEndpoints;

/// <summary>run() raised: the caller answers 502 with <c>X-Ms-Run-Function-Failed: True</c>.</summary>
public sealed class ScoringFailedException(string message) : Exception(message);
