using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Core.Text;

/// <summary>
/// Unpaired UTF-16 surrogates: JSON may escape one (<c>"\ud800"</c>) and Python strings may hold one,
/// but no Unicode text can, so System.Text.Json throws when such a string is read as a .NET string
/// or written out. Text from clients and user code is checked here before it is kept or answered.
/// </summary>
public static class UnpairedSurrogates
{
    /// <summary>Whether <paramref name="text"/> has no unpaired surrogate. Allocates nothing; text without surrogates is one vectorized scan.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        var first = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        for (var i = first; i >= 0 && i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Null when every string and property name in <paramref name="element"/> is Unicode text; otherwise a
    /// sentence naming the first that is not by its JSON path, e.g. "The string at $.x holds ...". Only an escape can spell a
    /// surrogate, so a body without "\u" is one scan of its text, with no walk of its values.
    /// </summary>
    public static string? Problem(JsonElement element) =>
        JsonMarshal.GetRawUtf8Value(element).IndexOf("\\u"u8) < 0 || IsReadable(element) ? null : $"{Locate(element, "$")} holds an unpaired UTF-16 surrogate (an escape from \\ud800 to \\udfff without its pair), which is not valid Unicode text.";

    /// <summary>Whether <paramref name="node"/> can be written as JSON: no string or property name in it holds an unpaired surrogate.</summary>
    public static bool IsEncodable(JsonNode? node)
    {
        try
        {
            return node switch
            {
                null => true,
                JsonObject obj => obj.All(p => IsWellFormed(p.Key) && IsEncodable(p.Value)),
                JsonArray array => array.All(IsEncodable),
                JsonValue value when value.GetValueKind() == JsonValueKind.String => IsWellFormed(value.GetValue<string>()),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            return false; // a node over parsed JSON whose escaped name or value cannot become a .NET string
        }
    }

    private static bool IsReadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsReadableString(element);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsReadableName(property) || !IsReadable(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!IsReadable(item))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>Only on the error path: where the first unreadable string or name is.</summary>
    private static string Locate(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!IsReadableName(property))
                {
                    return $"A property name in {path}";
                }

                if (!IsReadable(property.Value))
                {
                    return Locate(property.Value, $"{path}.{property.Name}");
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (!IsReadable(item))
                {
                    return Locate(item, $"{path}[{index}]");
                }

                index++;
            }
        }

        return $"The string at {path}";
    }

    // Only an escape can spell a surrogate (the reader refuses ill-formed UTF-8), so strings without "\u" are not decoded.
    private static bool IsReadableString(JsonElement element)
    {
        if (JsonMarshal.GetRawUtf8Value(element).IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsReadableName(JsonProperty property)
    {
        if (JsonMarshal.GetRawUtf8PropertyName(property).IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
