using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ferry.Core.Text;

namespace Ferry.Server.Hosting;

/// <summary>
/// Reads request bodies bound as <see cref="JsonNode"/>, <see cref="JsonObject"/> or
/// <see cref="JsonArray"/> strictly: a repeated property name is a JSON error when the body is read
/// (400), not an exception when a handler first touches the node, which is built lazily. Names are
/// compared as the nodes compare them, so <c>{"x":1,"X":2}</c> is a repeated name when they ignore case.
/// So is a string or name escaping an unpaired UTF-16 surrogate (<c>"\ud800"</c>): a node holding one
/// throws when a handler reads the string and when it is written back, after it may have been stored.
/// The body is parsed once; the node is built over the element that was checked.
/// </summary>
internal sealed class StrictJsonNodeConverter<T> : JsonConverter<T>
    where T : JsonNode
{
    public override bool HandleNull => true;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var element = JsonElement.ParseValue(ref reader);
        if (UnpairedSurrogates.Problem(element) is { } problem)
        {
            throw new JsonException(problem); // first: the names checked next must be readable
        }

        RefuseRepeatedNames(element, options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var nodeOptions = new JsonNodeOptions { PropertyNameCaseInsensitive = options.PropertyNameCaseInsensitive };
        JsonNode? node = element.ValueKind switch
        {
            JsonValueKind.Object => JsonObject.Create(element, nodeOptions),
            JsonValueKind.Array => JsonArray.Create(element, nodeOptions),
            _ => JsonValue.Create(element, nodeOptions),
        };
        return node as T ?? throw new JsonException($"Expected a JSON {(typeof(T) == typeof(JsonArray) ? "array" : "object")}, not {node?.GetValueKind()}.");
    }

    public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
    {
        // HandleNull makes null values come here too (a batch's records not yet run, say).
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer, options);
        }
    }

    private static void RefuseRepeatedNames(JsonElement element, StringComparer names)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = element.GetPropertyCount() > 1 ? new HashSet<string>(names) : null; // a batch's records often have one input
            foreach (var property in element.EnumerateObject())
            {
                if (seen is not null && !seen.Add(property.Name))
                {
                    throw new JsonException($"Duplicate property name '{property.Name}'{(names == StringComparer.OrdinalIgnoreCase ? " (names are compared ignoring case)" : "")}.");
                }

                RefuseRepeatedNames(property.Value, names);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                RefuseRepeatedNames(item, names);
            }
        }
    }
}
