namespace Ferry.Core.Diagnostics;

/// <summary>How a consume call of a web service version ended (the <c>ferry.service.outcome</c> tag).</summary>
public enum ServiceOutcome
{
    /// <summary>The service's code ran and succeeded.</summary>
    Success,

    /// <summary>The service's code ran and failed: a 200 with <c>success:false</c>.</summary>
    Failure,

    /// <summary>The call got an HTTP error (a 4xx such as a bad input, a 503 from a busy pool) or was abandoned.</summary>
    Error,
}
