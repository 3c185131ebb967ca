using System.Text.Json.Nodes;
using Ferry.Core.WebServices;

namespace Ferry.Server.WebServices;

/// <summary>
/// The Swagger 2.0 document of one web service version, in the shape ML Server generated
/// (<c>reference/example-service-swagger-Double-V1.0.json</c>): the consume path, its typed
/// InputParameters and OutputParameters, the six batch operations, and the login operations clients need first.
/// </summary>
internal static class ServiceSwagger
{
    public static JsonObject For(WebService service)
    {
        var document = Document(service);
        BatchSwagger.AddTo(document, service);
        return document;
    }

    private static JsonObject Document(WebService service) => new()
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["description"] = service.Description, ["title"] = service.Name, ["version"] = service.Version },
        ["schemes"] = new JsonArray("http", "https"),
        ["consumes"] = new JsonArray("application/json"),
        ["produces"] = new JsonArray("application/json"),
        ["securityDefinitions"] = new JsonObject { ["Bearer"] = new JsonObject { ["type"] = "apiKey", ["name"] = "Authorization", ["in"] = "header" } },
        ["tags"] = new JsonArray(new JsonObject { ["name"] = service.Name }, new JsonObject { ["name"] = "User" }),
        ["paths"] = new JsonObject
        {
            [$"/api/{service.Name}/{service.Version}"] = new JsonObject
            {
                ["post"] = new JsonObject
                {
                    ["operationId"] = service.OperationId ?? "ConsumeWebService",
                    ["tags"] = new JsonArray(service.Name),
                    ["description"] = $"Consume the {service.Name} web service.",
                    ["parameters"] = new JsonArray(new JsonObject
                    {
                        ["description"] = "Input parameters to the web service.",
                        ["required"] = true,
                        ["name"] = "WebServiceParameters",
                        ["in"] = "body",
                        ["schema"] = Ref("InputParameters"),
                    }),
                    ["responses"] = new JsonObject
                    {
                        ["200"] = new JsonObject { ["description"] = "OK", ["schema"] = Ref("WebServiceResult") },
                        ["400"] = new JsonObject { ["description"] = "Bad Request." },
                        ["500"] = new JsonObject { ["description"] = "Internal Server Error." },
                        ["default"] = new JsonObject { ["description"] = "Unexpected error.", ["schema"] = Ref("Error") },
                    },
                    ["security"] = new JsonArray(new JsonObject { ["Bearer"] = new JsonArray() }),
                },
            },
            ["/login"] = Operation("login", "Logs the user in", "loginRequest", "LoginRequest", "Login successful", "401 - Invalid Password"),
            ["/login/refreshToken"] = Operation("renewToken", "The user renews access token and refresh token", "renewTokenRequest", "RenewTokenRequest", "Access token and refresh token updated successfully", "401 - Invalid or expired refresh token"),
            ["/login/refreshToken/{refreshToken}"] = new JsonObject
            {
                ["delete"] = new JsonObject
                {
                    ["summary"] = "The user revokes a refresh token",
                    ["operationId"] = "revokeRefreshToken",
                    ["tags"] = new JsonArray("User"),
                    ["parameters"] = new JsonArray(new JsonObject
                    {
                        ["description"] = "The refresh token to be revoked", ["required"] = true, ["type"] = "string", ["name"] = "refreshToken", ["in"] = "path",
                    }),
                    ["responses"] = Responses("Refresh token revoked successfully", "401 - Invalid or expired refresh token"),
                },
            },
        },
        ["definitions"] = new JsonObject
        {
            ["InputParameters"] = Parameters(service.Inputs),
            ["OutputParameters"] = Parameters(service.Outputs),
            ["WebServiceResult"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["success"] = Described("boolean", "Boolean flag indicating the success status of web service execution."),
                    ["errorMessage"] = Described("string", "Error messages if any occurred during the web service execution."),
                    ["consoleOutput"] = Described("string", "Console output from the web service execution."),
                    ["changedFiles"] = new JsonObject
                    {
                        ["description"] = "The filenames of the files modified during the web service execution.",
                        ["type"] = "array",
                        ["items"] = new JsonObject { ["type"] = "string" },
                    },
                    ["outputParameters"] = Ref("OutputParameters"),
                    ["outputFiles"] = new JsonObject
                    {
                        ["description"] = "The requested output files by name, base64-encoded.",
                        ["type"] = "object",
                        ["additionalProperties"] = new JsonObject { ["type"] = "string" },
                    },
                },
            },
            ["Error"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["message"] = new JsonObject { ["type"] = "string" },
                    ["exceptionType"] = new JsonObject { ["type"] = "string" },
                    ["correlationId"] = new JsonObject { ["type"] = "string" },
                },
            },
            ["LoginRequest"] = Properties(("username", "The name of the user."), ("password", "The password of the user.")),
            ["RenewTokenRequest"] = Properties(("refreshToken", "A currently valid refresh token.")),
            ["AccessTokenResponse"] = Properties(("token_type", ""), ("access_token", ""), ("expires_on", ""), ("refresh_token", "")),
        },
    };

    /// <summary>The JSON schema of an ML Server parameter type, its name kept in the description.</summary>
    public static JsonObject SchemaOf(string type)
    {
        var schema = type switch
        {
            "integer" => new JsonObject { ["type"] = "integer" },
            "numeric" => new JsonObject { ["type"] = "number", ["format"] = "double" },
            "character" => new JsonObject { ["type"] = "string" },
            "logical" => new JsonObject { ["type"] = "boolean" },
            "vector" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject() },
            "matrix" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject() } },
            _ => new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject() } },
        };
        schema.Insert(0, "description", type);
        return schema;
    }

    private static JsonObject Parameters(IReadOnlyList<ParameterDefinition> parameters) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)SchemaOf(p.Type)))),
    };

    private static JsonObject Operation(string operationId, string summary, string bodyName, string bodySchema, string ok, string error) => new()
    {
        ["post"] = new JsonObject
        {
            ["summary"] = summary,
            ["operationId"] = operationId,
            ["tags"] = new JsonArray("User"),
            ["parameters"] = new JsonArray(new JsonObject { ["required"] = true, ["name"] = bodyName, ["in"] = "body", ["schema"] = Ref(bodySchema) }),
            ["responses"] = Responses(ok, error),
        },
    };

    private static JsonObject Responses(string ok, string error) => new()
    {
        ["200"] = new JsonObject { ["description"] = ok, ["schema"] = Ref("AccessTokenResponse") },
        ["default"] = new JsonObject { ["description"] = $"Error \n * {error}", ["schema"] = Ref("Error") },
    };

    private static JsonObject Properties(params (string Name, string Description)[] properties) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Described("string", p.Description)))),
    };

    private static JsonObject Described(string type, string description) =>
        description.Length == 0 ? new JsonObject { ["type"] = type } : new JsonObject { ["description"] = description, ["type"] = type };

    private static JsonObject Ref(string definition) => new() { ["$ref"] = $"#/definitions/{definition}" };
}
