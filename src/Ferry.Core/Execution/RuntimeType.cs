namespace Ferry.Core.Execution;

/// <summary>
/// The language a session, snapshot or service runs: the contract's runtimeType. <see cref="Realtime"/>
/// (9.3's WebService.runtimeType) runs no interpreter: a model scored natively; no session runs it.
/// </summary>
public enum RuntimeType
{
    R,
    Python,
    Realtime,
}
