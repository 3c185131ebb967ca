using Ferry.Core.Execution;

namespace Ferry.Core.WebServices;

/// <summary>What a publish or patch sends; on a patch, what is null stays as it was.</summary>
public sealed record WebServiceChange(
    string? SnapshotId = null,
    string? Code = null,
    string? Description = null,
    string? OperationId = null,
    IReadOnlyList<ParameterDefinition>? Inputs = null,
    IReadOnlyList<ParameterDefinition>? Outputs = null,
    RuntimeType? Runtime = null,
    string? InitCode = null,
    IReadOnlyList<string>? OutputFileNames = null);
