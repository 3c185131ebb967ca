namespace Ferry.Execution.Protocol;

/// <summary>
/// The <c>execute_many</c> request: one code run once per input set (a batch's chunk), each run an
/// isolated <c>execute</c> of its own; the reply's <c>results</c> hold one <c>execute</c> reply per
/// record run, fewer when a record was interrupted, the results outgrew a reply, or the chunk ran past
/// <c>BudgetMs</c> (its records turned slow): the rest did not run, or their results were not kept.
/// <c>Cpus</c>, when not null, are the CPUs the worker is to run on from this chunk on (null: all it may).
/// </summary>
internal sealed record ExecuteManyMessage(
    string Code,
    IReadOnlyList<IReadOnlyList<InputMessage>> Records,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, string> OutputTypes,
    IReadOnlyList<string> OutputFiles,
    bool Isolated,
    int BudgetMs,
    IReadOnlyList<int>? Cpus)
{
    public string Type { get; } = "execute_many";
}
