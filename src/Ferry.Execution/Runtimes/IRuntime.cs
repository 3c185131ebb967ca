using Ferry.Core.Execution;
using Ferry.Execution.Sandboxing;

namespace Ferry.Execution.Runtimes;

/// <summary>
/// One language: how it is found on this machine, how its worker starts (a process that speaks the
/// frame protocol, docs/worker-protocol.md), how a run's script starts, and what it runs for an
/// online deployment. Adding a language is one of these and its worker script under Runtimes/.
/// </summary>
public interface IRuntime
{
    RuntimeType Type { get; }

    /// <summary>The file extension of its saved workspaces and of scripts it runs (".py", ".R").</summary>
    string ScriptExtension { get; }

    /// <summary>Whether its worker serves <c>execute_many</c> (else a chunk is one <c>execute</c> per record, written at once).</summary>
    bool ExecutesMany { get; }

    /// <summary>Whether its worker serves <c>fork</c> and <c>kill</c>: a prepared worker makes the pool's others as copies of itself.</summary>
    bool Forks { get; }

    /// <summary>Variables its workers and runs need in their environment, besides the sandbox's own.</summary>
    IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>What the probe found (once, then cached).</summary>
    Task<RuntimeInfo> GetAsync();

    /// <summary>The command that starts its worker inside the sandbox, connecting to <paramref name="channel"/>.</summary>
    RuntimeCommand Worker(RuntimeInfo info, SandboxLayout layout, string channel, int memoryLimitMb);

    /// <summary>The command that runs an experiment's entry script with its arguments, in the working directory.</summary>
    RuntimeCommand Run(RuntimeInfo info, SandboxLayout layout, string script, IReadOnlyList<string> arguments);

    /// <summary>What a worker runs for an online deployment's scoring script; a runtime without scoring scripts throws a 400.</summary>
    ScoringCode Scoring(ScoringScriptEntry entry);
}
