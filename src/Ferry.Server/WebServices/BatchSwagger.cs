using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.WebServices;

namespace Ferry.Server.WebServices;

/// <summary>
/// The six batch operations of a service's swagger, as ML Server generated them
/// (<c>reference/example-service-swagger-Double-V1.0.json</c>), with the two schemas they use.
/// </summary>
internal static class BatchSwagger
{
    private const string Paths =
        """
        {
          "/api/@PATH/batch": {
            "post": {
              "operationId": "StartBatchExecution", "tags": ["@TAG"], "description": "Consume the @TAG web service asynchronously.",
              "parameters": [
                { "description": "Input parameters to the web service.", "required": true, "name": "BatchWebServiceParameters", "in": "body",
                  "schema": { "type": "array", "items": { "$ref": "#/definitions/InputParameters" } } },
                { "format": "int32", "in": "query", "required": false, "type": "integer", "name": "parallelCount",
                  "description": "Number of records run at once. Default value is 10 (capped by the server's Ferry:Batch:MaxParallelCount)." }
              ],
              "responses": {
                "202": { "description": "Accepted", "schema": { "$ref": "#/definitions/StartBatchExecutionResponse" } },
                "400": { "description": "Bad Request." },
                "413": { "description": "More records than the server accepts in one batch." },
                "500": { "description": "Internal Server Error." },
                "default": { "description": "Unexpected error.", "schema": { "$ref": "#/definitions/Error" } }
              },
              "security": [{ "Bearer": [] }]
            },
            "get": {
              "summary": "Gets all batch executions for @TAG.", "operationId": "GetBatchExecutions", "tags": ["@TAG"],
              "responses": {
                "200": { "description": "OK", "schema": { "type": "array", "items": { "type": "string" } } },
                "default": { "description": "Error \n * 404 - Web service not found \n * 400 - Bad request", "schema": { "$ref": "#/definitions/Error" } }
              },
              "consumes": ["application/json"], "produces": ["application/json"], "security": [{ "Bearer": [] }]
            }
          },
          "/api/@PATH/batch/{executionId}": {
            "get": {
              "summary": "Gets the status and results of a batch execution of @TAG.", "operationId": "GetBatchExecutionStatus", "tags": ["@TAG"],
              "parameters": [
                { "description": "Execution id of the execution", "required": true, "type": "string", "name": "executionId", "in": "path" },
                { "description": "Returns the already processed results of the batch execution even if it hasn't been fully completed.", "required": false, "type": "boolean", "name": "showPartialResults", "in": "query" }
              ],
              "responses": {
                "200": { "description": "OK", "schema": { "$ref": "#/definitions/BatchWebServiceResult" } },
                "default": { "description": "Error \n * 404 - Web service not found \n * 404 - Execution not found \n * 400 - Bad request", "schema": { "$ref": "#/definitions/Error" } }
              },
              "consumes": ["application/json"], "produces": ["application/json"], "security": [{ "Bearer": [] }]
            },
            "delete": {
              "summary": "Cancels and deletes a batch execution of @TAG.", "operationId": "CancelAndDeleteBatchExecution", "tags": ["@TAG"],
              "parameters": [{ "description": "Execution id of the execution.", "required": true, "type": "string", "name": "executionId", "in": "path" }],
              "responses": {
                "200": { "description": "OK", "schema": { "type": "array", "items": { "type": "string" } } },
                "default": { "description": "Error \n * 404 - Web service not found \n * 404 - Execution not found \n * 400 - Bad request", "schema": { "$ref": "#/definitions/Error" } }
              },
              "consumes": ["application/json"], "produces": ["application/json"], "security": [{ "Bearer": [] }]
            }
          },
          "/api/@PATH/batch/{executionId}/{index}/files": {
            "get": {
              "summary": "Gets all files from an individual execution in @TAG.", "operationId": "GetBatchExecutionFiles", "tags": ["@TAG"],
              "parameters": [
                { "description": "Execution id of the execution", "required": true, "type": "string", "name": "executionId", "in": "path" },
                { "description": "Index of the execution in the batch.", "required": true, "type": "integer", "name": "index", "in": "path" }
              ],
              "responses": {
                "200": { "description": "OK", "schema": { "type": "array", "items": { "type": "string" } } },
                "default": { "description": "Error \n * 404 - Web service not found \n * 404 - Execution not found \n * 400 - Bad request", "schema": { "$ref": "#/definitions/Error" } }
              },
              "consumes": ["application/json"], "produces": ["application/json"], "security": [{ "Bearer": [] }]
            }
          },
          "/api/@PATH/batch/{executionId}/{index}/files/{fileName}": {
            "get": {
              "summary": "Gets a specific file from an execution in @TAG.", "operationId": "GetBatchExecutionFile", "tags": ["@TAG"],
              "parameters": [
                { "description": "Execution id of the execution", "required": true, "type": "string", "name": "executionId", "in": "path" },
                { "description": "Index of the execution in the batch.", "required": true, "type": "integer", "name": "index", "in": "path" },
                { "description": "Name of the file to be returned.", "required": true, "type": "string", "name": "fileName", "in": "path" }
              ],
              "responses": {
                "200": { "description": "OK", "schema": { "type": "file" } },
                "default": { "description": "Error \n * 404 - Web service not found \n * 404 - Execution not found \n * 404 - File not found \n * 400 - Bad request", "schema": { "$ref": "#/definitions/Error" } }
              },
              "consumes": ["application/json"], "produces": ["application/json"], "security": [{ "Bearer": [] }]
            }
          }
        }
        """;

    private const string Definitions =
        """
        {
          "StartBatchExecutionResponse": {
            "type": "object",
            "properties": { "batchExecutionId": { "description": "Id of the asynchronous execution.", "type": "string" } }
          },
          "BatchWebServiceResult": {
            "type": "object",
            "properties": {
              "state": {
                "description": "State of the execution: pending (stored, not yet started), inProgress, complete (every record has its result), failed (the batch could not go on).",
                "type": "string", "enum": ["pending", "inProgress", "ready", "complete", "failed"]
              },
              "completedItemCount": { "description": "Number of completed items in this batch operation.", "type": "integer", "format": "int32" },
              "totalItemCount": { "description": "Number of total items in this batch operation.", "type": "integer", "format": "int32" },
              "parallelCount": { "description": "Records run at once.", "type": "integer", "format": "int32" },
              "batchExecutionResults": { "description": "The responses of the individual executions, in input order.", "type": "array", "items": { "$ref": "#/definitions/WebServiceResult" } }
            }
          }
        }
        """;

    /// <summary>Adds the batch paths and definitions to a service's swagger document.</summary>
    public static void AddTo(JsonObject document, WebService service)
    {
        var paths = (JsonObject)document["paths"]!;
        var definitions = (JsonObject)document["definitions"]!;
        var text = Paths
            .Replace("@PATH", Escaped($"{service.Name}/{service.Version}"), StringComparison.Ordinal)
            .Replace("@TAG", Escaped(service.Name), StringComparison.Ordinal);
        foreach (var (path, operations) in JsonNode.Parse(text)!.AsObject().ToList())
        {
            paths[path] = operations!.DeepClone();
        }

        foreach (var (name, schema) in JsonNode.Parse(Definitions)!.AsObject().ToList())
        {
            definitions[name] = schema!.DeepClone();
        }
    }

    /// <summary>The text as it goes inside a JSON string (a name may hold any character the catalog allows).</summary>
    private static string Escaped(string text) => JsonSerializer.Serialize(text)[1..^1];
}
