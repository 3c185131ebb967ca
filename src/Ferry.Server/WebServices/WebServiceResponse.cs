using Ferry.Core.Execution;
using Ferry.Core.WebServices;

namespace Ferry.Server.WebServices;

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
