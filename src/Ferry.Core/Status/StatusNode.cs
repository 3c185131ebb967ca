namespace Ferry.Core.Status;

/// <summary>One node of the <c>/status</c> tree: a verdict, what it is based on, and its parts.</summary>
public sealed record StatusNode(
    StatusCode StatusCode,
    IReadOnlyDictionary<string, object?> Details,
    IReadOnlyDictionary<string, StatusNode> Components)
{
    private static readonly IReadOnlyDictionary<string, StatusNode> NoComponents = new Dictionary<string, StatusNode>();

    public static StatusNode Leaf(StatusCode code, IReadOnlyDictionary<string, object?> details) => new(code, details, NoComponents);

    /// <summary>A parent is as bad as its worst part.</summary>
    public static StatusNode Of(IReadOnlyDictionary<string, object?> details, IReadOnlyDictionary<string, StatusNode> components) =>
        new(components.Values.Select(c => c.StatusCode).DefaultIfEmpty(StatusCode.Pass).Max(), details, components);
}
