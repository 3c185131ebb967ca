using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ferry.Server.Hosting;

/// <summary>
/// Reads request bodies bound as <see cref="JsonNode"/>, <see cref="JsonObject"/> or
/// <see cref="JsonArray"/> strictly: a repeated property name is a JSON error when the body is read
/// (400), not an exception when a handler first touches the node, which is built lazily.
/// </summary>
internal sealed class StrictJsonNodeConverter<T> : JsonConverter<T>
    where T : JsonNode
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public override bool HandleNull => true;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var raw = JsonElement.ParseValue(ref reader).GetRawText();
        using (JsonDocument.Parse(raw, Strict))
        {
            // parsed only to refuse repeated names
        }

        var node = JsonNode.Parse(raw, new JsonNodeOptions { PropertyNameCaseInsensitive = options.PropertyNameCaseInsensitive });
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
}
