namespace Ferry.Core.Errors;

/// <summary>What went wrong, in the terms the HTTP layer maps to a status code.</summary>
public enum FerryErrorKind
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Gone,
    PayloadTooLarge,
    TooManyRequests,
    Unavailable,
}
