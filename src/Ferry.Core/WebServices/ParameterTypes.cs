using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Core.WebServices;

/// <summary>ML Server's parameter types and the JSON each accepts on input.</summary>
public static class ParameterTypes
{
    public static readonly IReadOnlyList<string> All = ["logical", "numeric", "integer", "character", "vector", "matrix", "data.frame"];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type);

    /// <summary>Why <paramref name="value"/> is not a <paramref name="type"/>, or null when it is.</summary>
    public static string? Problem(JsonNode? value, string type) => type switch
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

    private static bool IsInteger(JsonNode? value) =>
        value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<decimal>(out var number) && decimal.Truncate(number) == number;
}
