using Ferry.Core.Execution;
using Ferry.Core.WebServices;

namespace Ferry.Server.WebServices;

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
