namespace Ferry.Execution.Runtimes.R;

/// <summary>The R runtime (section <c>Ferry:R</c>).</summary>
public sealed class ROptions
{
    public const string Section = "Ferry:R";

    /// <summary>The <c>Rscript</c> to run. When empty: <c>FERRY_RSCRIPT</c>, else <c>Rscript</c> on PATH (Debian's r-base-core).</summary>
    public string? Interpreter { get; set; }
}
