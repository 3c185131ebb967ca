using System.Text.Json.Serialization;

namespace Ferry.Server.Errors;

/// <summary>The contract's <c>Error</c>: every non-2xx response carries one.</summary>
/// <param name="Message">What went wrong, meant for the person reading the client's output.</param>
/// <param name="ExceptionType">A stable name for the kind of failure (ML Server 9.1+).</param>
/// <param name="CorrelationId">The id of this request in the server's log.</param>
public sealed record ErrorResponse(
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExceptionType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CorrelationId = null);
