using Ferry.Core.Execution;

namespace Ferry.Server.ComputeNodes.Internal;

/// <summary>A <see cref="ServiceDefinition"/> on the internal API: its entry flattened (<c>code</c> or <c>scoringScript</c>).</summary>
internal sealed record WireService(
    string Name,
    string Version,
    string Owner,
    RuntimeType Runtime,
    string Kind,
    string? InitCode,
    string? Code,
    string? ScoringScript,
    string? ModelDirectory,
    string? ContentHash,
    PoolSize? Pool,
    long Revision,
    DateTimeOffset CreatedAt)
{
    private const string CodeKind = "code";
    private const string ScoringScriptKind = "scoringScript";

    public static WireService From(ServiceDefinition service) => service.Entry switch
    {
        CodeEntry code => new(service.Name, service.Version, service.Owner, service.Runtime, CodeKind, code.InitCode, code.Code, null, null, service.ContentHash, service.Pool, service.Revision, service.CreatedAt),
        ScoringScriptEntry script => new(service.Name, service.Version, service.Owner, service.Runtime, ScoringScriptKind, null, null, script.ScoringScript, script.ModelDirectory, service.ContentHash, service.Pool, service.Revision, service.CreatedAt),
        _ => throw new InvalidOperationException($"A {service.Entry.GetType().Name} runs on the web node, not on a compute node."),
    };

    /// <summary>The definition, or a 400 naming what is missing (only web nodes holding the node key send these).</summary>
    public ServiceDefinition ToDefinition()
    {
        ServiceEntry entry = Kind switch
        {
            CodeKind when InitCode is not null && Code is not null => new CodeEntry(InitCode, Code),
            ScoringScriptKind when ScoringScript is not null && ModelDirectory is not null => new ScoringScriptEntry(ScoringScript, ModelDirectory),
            _ => throw Core.Errors.FerryException.BadRequest($"A service sent to a compute node needs kind '{CodeKind}' with initCode and code, or '{ScoringScriptKind}' with scoringScript and modelDirectory."),
        };
        return new ServiceDefinition(Name, Version, Owner, Runtime, entry, ContentHash, Pool, Revision, CreatedAt);
    }
}
