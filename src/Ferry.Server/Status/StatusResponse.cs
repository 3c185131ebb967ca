using Ferry.Core.Status;

namespace Ferry.Server.Status;

/// <summary>The contract's recursive <c>StatusResponse</c>.</summary>
public sealed record StatusResponse(string StatusCode, IReadOnlyDictionary<string, object?> Details, IReadOnlyDictionary<string, StatusResponse> Components)
{
    public static StatusResponse From(StatusNode node) => new(
        node.StatusCode.ToString().ToLowerInvariant(),
        node.Details,
        node.Components.ToDictionary(c => c.Key, c => From(c.Value)));
}
