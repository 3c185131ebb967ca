using Ferry.Core.Execution;
using System.Text.Json.Nodes;
using Ferry.Core.WebServices;

namespace Ferry.Server.WebServices;

/// <summary>The contract's <c>ParameterDefinition</c>.</summary>
public sealed record ParameterDefinitionDto(string? Name, string? Type);

/// <summary>The contract's <c>PublishWebServiceRequest</c>; on PATCH every field is optional.</summary>
public sealed record PublishWebServiceRequest(
    string? SnapshotId,
    string? Code,
    string? Description,
    string? OperationId,
    IReadOnlyList<ParameterDefinitionDto>? InputParameterDefinitions,
    IReadOnlyList<ParameterDefinitionDto>? OutputParameterDefinitions,
    RuntimeType? RuntimeType,
    string? InitCode,
    IReadOnlyList<string>? OutputFileNames)
{
    public WebServiceChange ToChange() => new(
        SnapshotId, Code, Description, OperationId, Definitions(InputParameterDefinitions), Definitions(OutputParameterDefinitions), RuntimeType, InitCode, OutputFileNames);

    private static List<ParameterDefinition>? Definitions(IReadOnlyList<ParameterDefinitionDto>? dtos) =>
        dtos?.Select(d => new ParameterDefinition(d?.Name ?? "", d?.Type ?? "")).ToList();
}

/// <summary>The contract's <c>WebService</c>.</summary>
public sealed record WebServiceResponse(
    string Name,
    string Version,
    string VersionPublishedBy,
    DateTimeOffset CreationTime,
    string? SnapshotId,
    RuntimeType RuntimeType,
    string InitCode,
    string Code,
    string Description,
    string? OperationId,
    IReadOnlyList<ParameterDefinition> InputParameterDefinitions,
    IReadOnlyList<ParameterDefinition> OutputParameterDefinitions,
    IReadOnlyList<string> OutputFileNames,
    string MyPermissionOnService)
{
    public static WebServiceResponse From(WebService s, Caller caller) => new(
        s.Name, s.Version, s.PublishedBy, s.CreationTime, s.SnapshotId, s.Runtime, s.InitCode, s.Code, s.Description, s.OperationId,
        s.Inputs, s.Outputs, s.OutputFileNames, WebServiceCatalog.PermissionOf(s, caller));
}

/// <summary>The contract's <c>CreateOrUpdateServicePoolRequest</c>; any key casing binds.</summary>
public sealed record ServicePoolRequest(int? InitialPoolSize, int? MaxPoolSize);

/// <summary>The contract's <c>ServicePoolStatusResponse</c>, camel-cased as a real server sent it.</summary>
public sealed record ServicePoolStatusResponse(string ComputeNodeEndpoint, string Status);

/// <summary>The consume response: outputs keyed by name, output files as base64.</summary>
public sealed record WebServiceResult(
    bool Success,
    string ErrorMessage,
    string ConsoleOutput,
    IReadOnlyList<string> ChangedFiles,
    JsonObject OutputParameters,
    IReadOnlyDictionary<string, string> OutputFiles);
