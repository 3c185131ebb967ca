using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Core.WebServices;

/// <summary>ML Server's parameter types and the JSON each accepts on input.</summary>
public static class ParameterTypes
{
    public static readonly IReadOnlyList<string> All = ["logical", "numeric", "integer", "character", "vector", "matrix", "data.frame"];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type);

    /// <summary>Why <paramref name="value"/> is not a <paramref name="type"/>, or null when it is.</summary>
    public static string? Problem(JsonNode? value, string type) => BeyondDouble(value) is { } huge ? $"holds {huge}, a number beyond a double's range" : type switch
    {
        "logical" => value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false",
        "numeric" => value?.GetValueKind() == JsonValueKind.Number ? null : "must be a number",
        "integer" => IsInteger(value) ? null : "must be a whole number",
        "character" => value?.GetValueKind() == JsonValueKind.String ? null : "must be a string",
        "vector" => value is JsonArray array && array.All(IsScalar) ? null : "must be a vector: a JSON array of single values",
        "matrix" => value is JsonArray rows && rows.Count > 0 && rows.All(r => r is JsonArray row && row.All(IsScalar)) && rows.Select(r => r!.AsArray().Count).Distinct().Count() == 1
            ? null
            : "must be a matrix: a JSON array of rows of equal length",
        "data.frame" => value is JsonObject columns && columns.All(c => c.Value is JsonArray column && column.All(IsScalar)) && columns.Select(c => c.Value!.AsArray().Count).Distinct().Count() <= 1
            ? null
            : "must be a data.frame: a JSON object of equally long column arrays",
        _ => $"has the unknown type '{type}'",
    };

    private static bool IsScalar(JsonNode? node) => node is null or JsonValue;

    /// <summary>
    /// The first number in <paramref name="value"/> (it, or an item of its arrays and columns) that no double holds (<c>1e400</c>):
    /// a runtime would read it as an infinity.
    /// </summary>
    private static string? BeyondDouble(JsonNode? value) => value switch
    {
        JsonValue number when number.GetValueKind() == JsonValueKind.Number && !(number.TryGetValue<double>(out var d) && double.IsFinite(d)) => number.ToJsonString(),
        JsonArray items => items.Select(BeyondDouble).FirstOrDefault(found => found is not null),
        JsonObject columns => columns.Select(c => BeyondDouble(c.Value)).FirstOrDefault(found => found is not null),
        _ => null,
    };

    private static bool IsInteger(JsonNode? value) =>
        value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<decimal>(out var number) && decimal.Truncate(number) == number;
}
