namespace Ferry.Core.Execution;

/// <summary>The language a session, snapshot or service runs: the contract's runtimeType.</summary>
public enum RuntimeType
{
    R,
    Python,
}
