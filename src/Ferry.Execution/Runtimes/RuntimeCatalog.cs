using Ferry.Core.Errors;
using Ferry.Core.Execution;

namespace Ferry.Execution.Runtimes;

/// <summary>The runtimes this build knows, by the contract's runtimeType.</summary>
public sealed class RuntimeCatalog(IEnumerable<IRuntime> runtimes)
{
    private readonly Dictionary<RuntimeType, IRuntime> byType = runtimes.ToDictionary(r => r.Type);

    public IReadOnlyCollection<IRuntime> All => byType.Values;

    public IRuntime this[RuntimeType type] => byType[type];

    /// <summary>The runtime and what its probe found; one not installed here is a 400 naming what to install.</summary>
    public async Task<(IRuntime Runtime, RuntimeInfo Info)> RequireAsync(RuntimeType type)
    {
        var runtime = byType.GetValueOrDefault(type) ?? throw FerryException.BadRequest($"The runtime '{type}' is not supported.");
        var info = await runtime.GetAsync();
        return info.IsUsable
            ? (runtime, info)
            : throw FerryException.BadRequest($"The {type} runtime is not installed on this server: {info.Problem}");
    }

    /// <summary>The runtime whose scripts end like <paramref name="script"/> (".py" or ".R"), if any.</summary>
    public IRuntime? ForScript(string script) =>
        byType.Values.FirstOrDefault(r => script.EndsWith(r.ScriptExtension, StringComparison.OrdinalIgnoreCase));
}
