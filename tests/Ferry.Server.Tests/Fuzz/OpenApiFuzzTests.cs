using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ferry.Server.Tests.Fuzz;

/// <summary>
/// Walks every operation of Ferry's own OpenAPI document and sends generated bad inputs (issue 12),
/// as an Owner and anonymously, with a fixed seed and a time budget: every answer is below 500,
/// every error has a JSON body with a message, and the server is healthy afterwards.
/// </summary>
[Collection(nameof(OpenApiFuzzTests))]
public sealed class OpenApiFuzzTests(ITestOutputHelper output, OpenApiFuzzTests.Report report) : IClassFixture<OpenApiFuzzTests.Report>
{
    private const int Seed = 20261201;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    private static readonly Dictionary<string, string?> Settings = new()
    {
        // Few interpreters on a shared machine: no warm pool, pools start on first call and stay at one worker.
        ["Ferry:Workers:WarmPoolSize"] = "0",
        ["Ferry:WebServices:InitialPoolSize"] = "0",
        ["Ferry:WebServices:MaxPoolSize"] = "1",
        ["Ferry:WebServices:QueueTimeout"] = "00:00:02",
        ["Ferry:Sessions:MaxSessionsPerUser"] = "3",
        ["Ferry:Workers:ExecutionTimeout"] = "00:00:05",
    };

    [Fact]
    public async Task EveryOperation_GeneratedBadInputs_AnswerBelow500WithAJsonMessage()
    {
        await using var factory = new FerryFactory(TestDirectory.Create(), Settings);
        using var owner = await factory.LoggedInClientAsync();
        using var anonymous = factory.CreateClient();
        owner.Timeout = anonymous.Timeout = TimeSpan.FromSeconds(30);
        var known = await KnownValuesAsync(owner);
        using var swagger = await anonymous.GetAsync("/swagger/v1/swagger.json");
        var document = await HttpAssert.OkJsonAsync(swagger);
        var operations = Operations(document);
        using var before = await owner.GetAsync("/status");
        var healthBefore = (await HttpAssert.OkJsonAsync(before)).GetProperty("statusCode").GetString();

        var random = new Random(Seed);
        var failures = new List<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; clock.Elapsed < Budget && round < 2000; round++)
        {
            foreach (var (method, template, operation) in operations)
            {
                if (clock.Elapsed >= Budget)
                {
                    break;
                }

                var client = random.Next(3) == 0 ? anonymous : owner;
                using var request = Build(random, method, template, operation, document, known);
                var description = $"{method.ToUpperInvariant()} {request.RequestUri} ({(client == owner ? "Owner" : "anonymous")}, {Describe(request.Content)})";
                sent++;
                try
                {
                    using var response = await client.SendAsync(request);
                    if (await ProblemAsync(response) is { } problem)
                    {
                        failures.Add($"{description}: {problem}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    failures.Add($"{description}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        using var status = await owner.GetAsync("/status");
        var health = await HttpAssert.OkJsonAsync(status);
        var summary = $"Fuzz: sent {sent} cases over {operations.Count} operations in {clock.Elapsed.TotalSeconds:F0} s (seed {Seed}); {failures.Count} failed.";
        output.WriteLine(summary);
        report.Send(summary);
        var causes = factory.Logs.Entries.Where(e => e.Exception is not null && e.Level >= Microsoft.Extensions.Logging.LogLevel.Error)
            .Select(e => $"{e.Exception!.GetType().Name}: {e.Exception.Message} {e.Exception.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Ferry.", StringComparison.Ordinal))?.Trim()}")
            .Distinct().Take(10);
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} cases failed:\n{string.Join('\n', failures.Distinct().Take(25))}\nServer errors:\n{string.Join('\n', causes)}");
        Assert.Equal(healthBefore, health.GetProperty("statusCode").GetString()); // "warn" on a machine without R, say
        Assert.NotEqual("fail", healthBefore);
    }

    /// <summary>Why an answer breaks the rules, or null: below 500, and an error carries a JSON message.</summary>
    private static async Task<string?> ProblemAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return $"{status} {Cut(text)}";
        }

        if (status < 400)
        {
            return null;
        }

        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            var message = body.TryGetProperty("message", out var m) ? m
                : body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var em) ? em
                : body.TryGetProperty("error_description", out var d) ? d
                : default;
            return message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0 ? null : $"{status} without a message: {Cut(text)}";
        }
        catch (JsonException)
        {
            return $"{status} without a JSON body: {Cut(text)}";
        }
    }

    private static HttpRequestMessage Build(Random random, string method, string template, JsonElement operation, JsonElement document, Dictionary<string, string> known)
    {
        var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
        var pathNames = parameters.Where(x => x.GetProperty("in").GetString() == "path").Select(x => x.GetProperty("name").GetString()!).ToList();
        var queryNames = parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!).ToList();
        var hasBody = operation.TryGetProperty("requestBody", out var requestBody);

        // One thing is bad at a time, the rest valid where a valid value is known, so checks past the first are reached.
        var target = random.Next(pathNames.Count + queryNames.Count + 1);
        var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{\**([^}:]+)[^}]*\}", match =>
        {
            var name = match.Groups[1].Value;
            return pathNames.IndexOf(name) == target || !known.TryGetValue(name, out var good) ? Pick(random, FuzzInputs.Segments) : good;
        });

        var query = new List<string>();
        for (var i = 0; i < queryNames.Count; i++)
        {
            var name = queryNames[i];
            var value = pathNames.Count + i == target || !known.TryGetValue(name, out var good) ? Pick(random, FuzzInputs.Segments) : good;
            query.Add($"{Uri.EscapeDataString(name)}={value}");
        }

        if (path.Contains("/subscriptions/", StringComparison.Ordinal) && !queryNames.Contains("api-version") && random.Next(4) > 0)
        {
            query.Add("api-version=" + (random.Next(3) == 0 ? Pick(random, FuzzInputs.Segments) : known["api-version"]));
        }

        var uri = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), uri);
        if (hasBody || method is "post" or "put" or "patch")
        {
            request.Content = Body(random, hasBody ? requestBody : default, document, target == pathNames.Count + queryNames.Count);
        }

        return request;
    }

    private static HttpContent Body(Random random, JsonElement requestBody, JsonElement document, bool mutate)
    {
        var types = requestBody.ValueKind == JsonValueKind.Object && requestBody.TryGetProperty("content", out var content)
            ? content.EnumerateObject().ToDictionary(c => c.Name, c => c.Value)
            : [];
        if (types.Keys.Any(t => t.StartsWith("multipart/", StringComparison.Ordinal)) && random.Next(4) > 0)
        {
            return FuzzInputs.Multipart(random);
        }

        if (types.ContainsKey("application/x-www-form-urlencoded") && random.Next(2) == 0)
        {
            return new StringContent(random.Next(2) == 0 ? "grant_type=%zz&client_id=" + new string('a', 100_000) : "a=1&&=&%", Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        if (types.ContainsKey("application/octet-stream") && random.Next(2) == 0)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            return new ByteArrayContent(bytes);
        }

        if (random.Next(4) == 0)
        {
            return new StringContent(FuzzInputs.MalformedJson(random), Encoding.UTF8, random.Next(8) == 0 ? "text/plain" : "application/json");
        }

        var schema = types.TryGetValue("application/json", out var json) && json.TryGetProperty("schema", out var s) ? s : default;
        var body = Sample(random, schema, document, depth: 0) as JsonObject ?? [];
        if (mutate || random.Next(2) == 0)
        {
            Mutate(random, body);
        }

        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
    }

    /// <summary>A plausible value for a schema (so validation gets past the first field), refs resolved.</summary>
    private static JsonNode? Sample(Random random, JsonElement schema, JsonElement document, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > 6)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            return document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var target) ? Sample(random, target, document, depth + 1) : null;
        }

        var type = schema.TryGetProperty("type", out var t) ? (t.ValueKind == JsonValueKind.Array ? t[0].GetString() : t.GetString()) : "object";
        switch (type)
        {
            case "object":
                var node = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        node[property.Name] = Sample(random, property.Value, document, depth + 1);
                    }
                }

                return node;
            case "array":
                return schema.TryGetProperty("items", out var items) ? new JsonArray(Sample(random, items, document, depth + 1)) : [];
            case "integer":
                return random.Next(1, 4);
            case "number":
                return 1.5;
            case "boolean":
                return true;
            default:
                return random.Next(3) == 0 ? "Python" : "x";
        }
    }

    /// <summary>Replaces one property, at any depth, with a bad value; or adds an unknown one.</summary>
    private static void Mutate(Random random, JsonObject body)
    {
        var objects = new List<JsonObject> { body };
        for (var i = 0; i < objects.Count; i++)
        {
            objects.AddRange(objects[i].Select(p => p.Value).OfType<JsonObject>());
            objects.AddRange(objects[i].Select(p => p.Value).OfType<JsonArray>().SelectMany(a => a.OfType<JsonObject>()));
        }

        var target = objects[random.Next(objects.Count)];
        var names = target.Select(p => p.Key).ToList();
        var key = names.Count > 0 && random.Next(5) > 0 ? names[random.Next(names.Count)] : "unexpected\u0000property";
        target[key] = FuzzInputs.Value(random);
    }

    private static List<(string Method, string Template, JsonElement Operation)> Operations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => Methods.Contains(op.Name))
                .Select(op => (op.Name, path.Name, op.Value)))
            .OrderBy(op => op.Item2, StringComparer.Ordinal).ThenBy(op => op.Item1, StringComparer.Ordinal)];

    /// <summary>Real resources for path parameters, so a case can be bad in one place and valid elsewhere.</summary>
    private static async Task<Dictionary<string, string>> KnownValuesAsync(HttpClient owner)
    {
        var session = await SessionApi.CreateAsync(owner);
        using var snapshot = await owner.PostAsJsonAsync($"/sessions/{session}/snapshot", new { name = "fuzz" });
        var snapshotId = (await HttpAssert.OkJsonAsync(snapshot)).GetProperty("snapshotId").GetString()!;
        using (var publish = await owner.PostAsJsonAsync("/services/fz/1.0", new
        {
            code = "y = x",
            runtimeType = "Python",
            inputParameterDefinitions = new[] { new { name = "x", type = "integer" } },
            outputParameterDefinitions = new[] { new { name = "y", type = "integer" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, publish.StatusCode);
        }

        var workspace = await ArmApi.CreateWorkspaceAsync(owner);
        var parts = workspace.Split('/');
        return new Dictionary<string, string>
        {
            ["id"] = session,
            ["sessionId"] = session,
            ["snapshotId"] = snapshotId,
            ["name"] = "fz",
            ["version"] = "1.0",
            ["subscriptionId"] = parts[2],
            ["resourceGroupName"] = parts[4],
            ["workspaceName"] = parts[^1],
            ["experimentName"] = "fuzz-exp",
            ["computeName"] = "cpu1",
            ["endpointName"] = "fuzz-ep",
            ["deploymentName"] = "blue",
            ["origin"] = "LocalUpload",
            ["container"] = "fuzz",
            ["path"] = "a.txt",
            ["fileName"] = "a.txt",
            ["objectName"] = "x",
            ["location"] = "westus2",
            ["api-version"] = ArmApi.ApiVersion.Split('=')[1],
        };
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Describe(HttpContent? content) => content is null ? "no body" : $"{content.Headers.ContentType?.MediaType ?? "no type"} body";

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>Writes a line to the runner's diagnostic output, shown by every <c>./ferry test</c> run.</summary>
    public sealed class Report(IMessageSink sink)
    {
        public void Send(string line) => sink.OnMessage(new Xunit.Sdk.DiagnosticMessage(line));
    }
}

/// <summary>The fuzz suite runs alone: a minute of full load beside them would push timing-bound tests (queue deadlines) over.</summary>
[CollectionDefinition(nameof(OpenApiFuzzTests), DisableParallelization = true)]
public sealed class OpenApiFuzzRunsAlone;
