namespace Ferry.Core.Execution;

/// <summary>
/// What a pool worker is prepared with: its runtime, the content unpacked in its working directory
/// (a snapshot's files and workspace, or a deployment's code and model), and its entry.
/// <paramref name="Revision"/> grows with every change, so workers prepared for an older one are retired.
/// </summary>
/// <param name="Name">The pool's name (a web service's name, or an online endpoint's).</param>
/// <param name="Version">The pool's version (a web service's version, or a deployment's name).</param>
/// <param name="Owner">Whose share of the worker budget the pool draws on.</param>
/// <param name="Runtime">The language its workers run.</param>
/// <param name="Entry">What each worker runs once, and per call.</param>
/// <param name="ContentHash">The blob unpacked in each worker's directory, if any.</param>
/// <param name="Pool">The pool's size, when set (else the server's defaults).</param>
/// <param name="Revision">Grows with every change of the definition.</param>
/// <param name="CreatedAt">When the pool's service was made: a pool removed after it is not brought back by a late call.</param>
public sealed record ServiceDefinition(
    string Name,
    string Version,
    string Owner,
    RuntimeType Runtime,
    ServiceEntry Entry,
    string? ContentHash,
    PoolSize? Pool,
    long Revision,
    DateTimeOffset CreatedAt);
