using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests.Fuzz;

/// <summary>The bad inputs the fuzz suite draws from: path segments, JSON values and bodies, multipart and zip bodies.</summary>
internal static class FuzzInputs
{
    /// <summary>
    /// Path segments and query values, already URL-escaped where they need it. No NUL in paths: the
    /// HTTP server refuses those before routing (the in-memory one by throwing in the client).
    /// </summary>
    public static readonly string[] Segments =
    [
        "", " ", ".", "..", "%2e%2e", "a%2Fb", "%2F", "%5C", "nl%0A", "%0D%0A", "%09", "%ED%A0%80", "%C0%AF", "%FF",
        "%E2%80%AE" + "gnp.exe", Uri.EscapeDataString("ЖЖ"), Uri.EscapeDataString("שלום"), Uri.EscapeDataString("😀"),
        "-1", "0", "1.5", "2147483648", "9223372036854775808", "1e12", "1e308", "NaN", "-Infinity", "null", "true", "%7B%7D", "%5B%5D",
        "%25", "%25%32%65", "*", "~", "CON", "%24(id)", "'%3B%20DROP%20TABLE%20users%3B--", "..%2F..%2Fetc%2Fpasswd",
        new string('a', 255), new string('a', 256), new string('x', 5000), string.Concat(Enumerable.Repeat("%C3%A9", 200)),
    ];

    /// <summary>JSON values of every kind and edge: wrong types, boundaries, huge and awkward strings, deep nesting.</summary>
    public static JsonNode? Value(Random random) => random.Next(28) switch
    {
        0 => "",
        1 => new string('x', 100_000),
        2 => "\0",
        3 => "line\nbreak",
        4 => "\ud800",
        5 => "\udc00x\ud800",
        6 => "\u202egnp.exe",
        7 => "ЖЖ",
        8 => 0,
        9 => -1,
        10 => 1.5,
        11 => 1e12,
        12 => 1e308,
        13 => -1e308,
        14 => 2147483648L,
        15 => JsonNode.Parse("9223372036854775808"),
        16 => JsonNode.Parse("1e400"),
        17 => true,
        18 => null,
        19 => new JsonArray(),
        20 => new JsonObject(),
        21 => Nested(60),
        22 => new JsonArray(Enumerable.Range(0, 2000).Select(i => (JsonNode?)i).ToArray()),
        23 => "../../etc/passwd",
        24 => "a/b",
        25 => new string('é', 200),
        26 => int.MaxValue,
        _ => JsonNode.Parse("-0.0"),
    };

    /// <summary>Bodies that are not the JSON an operation wants, or not JSON at all.</summary>
    public static string MalformedJson(Random random) => random.Next(14) switch
    {
        0 => "",
        1 => "{",
        2 => "[]",
        3 => "null",
        4 => "\"text\"",
        5 => "1e999",
        6 => """{"a":1,"a":2}""",
        7 => new string('[', 5000) + new string(']', 5000),
        8 => "{\"x\":\"\\ud800\"}",
        9 => "{\"x\":\"\u0000\"}",
        10 => "\ufeff{}",
        11 => "{'single':'quotes'}",
        12 => "{\"x\":" + new string('9', 5000) + "}",
        _ => "{\"x\":1}garbage",
    };

    /// <summary>A multipart body, well-formed or not, whose parts carry awkward names and bad zips.</summary>
    public static HttpContent Multipart(Random random)
    {
        if (random.Next(3) == 0)
        {
            var raw = random.Next(3) switch
            {
                0 => "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno closing boundary",
                1 => "--b\r\nContent-Disposition: form-data\r\n\r\n--b--",
                _ => "not multipart at all",
            };
            var content = new StringContent(raw);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(random.Next(2) == 0 ? "multipart/form-data; boundary=b" : "multipart/form-data");
            return content;
        }

        var fileName = random.Next(5) switch
        {
            0 => new string('é', 200),
            1 => "../x",
            2 => "\u202egnp.exe",
            3 => "",
            _ => "ok.txt",
        };
        var form = new MultipartFormDataContent();
        foreach (var part in new[] { "file", "projectZipFile", "runDefinitionFile" })
        {
            form.Add(new ByteArrayContent(Zip(random)), part, fileName.Length > 0 ? fileName : "f");
        }

        return form;
    }

    /// <summary>Zip bytes: not a zip, empty, truncated, or a real zip with hostile entry names.</summary>
    public static byte[] Zip(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
                return Encoding.UTF8.GetBytes("not a zip");
            case 1:
                return [];
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            string[] names = random.Next(3) switch
            {
                0 => ["../evil.py"],
                1 => [new string('n', 300)],
                _ => ["a", "a/b", "script.py"],
            };
            foreach (var name in names)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write("print(1)");
            }
        }

        var bytes = buffer.ToArray();
        return random.Next(2) == 0 ? bytes[..(bytes.Length / 2)] : bytes;
    }

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }
}
