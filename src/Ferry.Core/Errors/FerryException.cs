namespace Ferry.Core.Errors;

/// <summary>
/// A failure the caller can act on. The message is shown to clients as is, so it names the problem
/// and never carries internals; everything else is an unexpected error and becomes a bare 500.
/// </summary>
public sealed class FerryException : Exception
{
    public FerryException(FerryErrorKind kind, string message, TimeSpan? retryAfter = null, string? code = null)
        : base(message)
    {
        Kind = kind;
        RetryAfter = retryAfter;
        Code = code;
    }

    public FerryErrorKind Kind { get; }

    /// <summary>A contract's own name for the failure (ARM's <c>MissingApiVersionParameter</c>, say); else the kind names it.</summary>
    public string? Code { get; }

    /// <summary>When set, the client may retry after this long (429 and 503).</summary>
    public TimeSpan? RetryAfter { get; }

    public static FerryException BadRequest(string message) => new(FerryErrorKind.BadRequest, message);

    public static FerryException Unauthorized(string message) => new(FerryErrorKind.Unauthorized, message);

    public static FerryException Forbidden(string message) => new(FerryErrorKind.Forbidden, message);

    public static FerryException NotFound(string message) => new(FerryErrorKind.NotFound, message);

    public static FerryException Conflict(string message) => new(FerryErrorKind.Conflict, message);

    public static FerryException TooManyRequests(string message, TimeSpan retryAfter) =>
        new(FerryErrorKind.TooManyRequests, message, retryAfter);
}
