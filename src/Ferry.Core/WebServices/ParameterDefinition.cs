namespace Ferry.Core.WebServices;

/// <summary>A declared input or output: a name and an ML Server type (see <see cref="ParameterTypes"/>).</summary>
public sealed record ParameterDefinition(string Name, string Type);
