using System.Text.Json;
using Ferry.Server.Tests.Infrastructure;

namespace Ferry.Server.Tests.OpenApi;

/// <summary>
/// Holds Ferry's OpenAPI document to the ML Server 9.3.0 swagger: every contract operation Ferry
/// implements is at the same path and method with the same operationId, and the list of contract
/// operations not implemented yet can only shrink.
/// </summary>
public sealed class OpenApiContractTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    /// <summary>Contract operations still to come (each names the issue that brings it).</summary>
    private static readonly HashSet<string> NotYetImplemented = [];

    [Fact]
    public async Task SwaggerDocument_IsServedWithoutTokenAndDeclaresBearer()
    {
        var document = await FerryDocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal("Bearer", document.GetProperty("security")[0].EnumerateObject().Single().Name);

        // Login needs no token, so it says so.
        var login = document.GetProperty("paths").GetProperty("/login").GetProperty("post");
        Assert.Equal(0, login.GetProperty("security").GetArrayLength());
    }

    [Fact]
    public async Task SwaggerDocument_MatchesContractOperationIds()
    {
        var ferry = Operations(await FerryDocumentAsync());
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Reference", "mlserver-swagger-9.3.0.json"));
        var contract = Operations(JsonDocument.Parse(stream).RootElement);

        var missing = contract.Keys.Where(k => !ferry.ContainsKey(k) && !NotYetImplemented.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "Contract operations missing from Ferry: " + string.Join(", ", missing));

        var mismatched = contract.Where(c => ferry.TryGetValue(c.Key, out var id) && id != c.Value)
            .Select(c => $"{c.Key}: contract {c.Value}, Ferry {ferry[c.Key]}").ToList();
        Assert.True(mismatched.Count == 0, "operationIds differ: " + string.Join("; ", mismatched));

        var stale = NotYetImplemented.Where(ferry.ContainsKey).ToList();
        Assert.True(stale.Count == 0, "Implemented now, remove from NotYetImplemented: " + string.Join(", ", stale));
    }

    /// <summary>
    /// Every Azure-ML operation Ferry serves that the specs also define carries the spec's operationId
    /// (paths compared without parameter names and, as ARM routes them, without case).
    /// <c>Reference/azureml-operations.json</c> is the specs' own list of method, path and operationId.
    /// </summary>
    [Fact]
    public async Task SwaggerDocument_UsesAzureMlSpecOperationIds()
    {
        var ferry = Operations(await FerryDocumentAsync());
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Reference", "azureml-operations.json"));
        var specs = JsonDocument.Parse(stream).RootElement.EnumerateObject()
            .GroupBy(o => Normalize(o.Name)).ToDictionary(g => g.Key, g => g.First().Value.GetString()!);
        var matched = ferry.Where(f => specs.ContainsKey(Normalize(f.Key))).ToList();
        Assert.True(matched.Count >= 25, $"Only {matched.Count} of Ferry's operations are in the Azure ML specs.");
        var mismatched = matched.Where(f => specs[Normalize(f.Key)] != f.Value).Select(f => $"{f.Key}: spec {specs[Normalize(f.Key)]}, Ferry {f.Value}").ToList();
        Assert.True(mismatched.Count == 0, "operationIds differ from the Azure ML specs: " + string.Join("; ", mismatched));
    }

    private static string Normalize(string operation) =>
        System.Text.RegularExpressions.Regex.Replace(operation, "{[^}]+}", "{}").TrimEnd('/').ToUpperInvariant();

    private async Task<JsonElement> FerryDocumentAsync()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/swagger/v1/swagger.json");
        return await HttpAssert.OkJsonAsync(response);
    }

    /// <summary>"METHOD /path/{}/..." (parameter names erased) to operationId.</summary>
    private static Dictionary<string, string> Operations(JsonElement document)
    {
        var result = new Dictionary<string, string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var normalized = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", "{}");
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("operationId", out _)))
            {
                result[$"{operation.Name.ToUpperInvariant()} {normalized}"] = operation.Value.GetProperty("operationId").GetString()!;
            }
        }

        return result;
    }
}
