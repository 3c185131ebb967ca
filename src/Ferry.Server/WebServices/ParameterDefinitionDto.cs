namespace Ferry.Server.WebServices;

/// <summary>The contract's <c>ParameterDefinition</c>.</summary>
public sealed record ParameterDefinitionDto(string? Name, string? Type);
