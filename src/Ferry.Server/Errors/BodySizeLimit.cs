namespace Ferry.Server.Errors;

/// <summary>Endpoint metadata: this route's bodies may be at most this many bytes (413 beyond).</summary>
internal sealed record BodySizeLimit(long MaxBytes);
