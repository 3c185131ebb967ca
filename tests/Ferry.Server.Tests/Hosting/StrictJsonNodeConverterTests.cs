using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Ferry.Server.Hosting;

namespace Ferry.Server.Tests.Hosting;

/// <summary>The converter every JSON body bound as a node goes through: what it refuses, and what it lets through unchanged.</summary>
public sealed class StrictJsonNodeConverterTests
{
    private static readonly JsonSerializerOptions Options = OptionsWith(caseInsensitive: false);

    [Theory]
    [InlineData("""{"x":"\ud800"}""", "The string at $.x holds an unpaired UTF-16 surrogate")]
    [InlineData("""{"x":"\udc00a"}""", "The string at $.x holds")]
    [InlineData("""{"x":"\ud800\u0041"}""", "The string at $.x holds")]
    [InlineData("""{"x":"\ude00\ud83d"}""", "The string at $.x holds")] // a pair in the wrong order
    [InlineData("""{"a":{"b":[1,"ok","\ud800"]}}""", "The string at $.a.b[2] holds")]
    [InlineData("""{"\udc00":1}""", "A property name in $ holds")]
    [InlineData("""{"a":[{"x\ud800":1}]}""", "A property name in $.a[0] holds")]
    [InlineData("""{"\udc00":1,"\udc00":2}""", "A property name in $ holds")] // named before the repeat, which could not be told
    [InlineData("""["\ud800"]""", "The string at $[0] holds")]
    public void Read_UnpairedSurrogate_IsAJsonErrorNamingWhere(string json, string fragment)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<JsonNode>(json, Options));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid Unicode text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnpairedSurrogateNestedInARecord_IsAJsonErrorAtTheRecordsProperty()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>("""{"name":"n","body":{"x":"\ud800"}}""", Options));
        Assert.Contains("The string at $.x holds", error.Message, StringComparison.Ordinal);
        Assert.Equal("$.body", error.Path);
    }

    [Theory]
    [InlineData("""{"x":"\ud83d\ude00","y":"caf\u00e9 \n \\ud800","\ud83d\ude00":"\\udc00"}""")]
    [InlineData("""{"x":"plain","n":1.5,"b":true,"z":null,"a":[]}""")]
    public void Read_WellFormedText_IsKeptAsSent(string json)
    {
        var node = JsonSerializer.Deserialize<JsonObject>(json, Options)!;
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), node.ToJsonString());
    }

    [Fact]
    public void Read_RepeatedName_IsStillRefused()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<JsonObject>("""{"x":1,"X":2}""", OptionsWith(caseInsensitive: true)));
        Assert.Contains("Duplicate property name 'X'", error.Message, StringComparison.Ordinal);
    }

    private static JsonSerializerOptions OptionsWith(bool caseInsensitive) => new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        PropertyNameCaseInsensitive = caseInsensitive,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new StrictJsonNodeConverter<JsonNode>(), new StrictJsonNodeConverter<JsonObject>(), new StrictJsonNodeConverter<JsonArray>() },
    };

    public sealed record Holder(string Name, JsonObject? Body);
}
