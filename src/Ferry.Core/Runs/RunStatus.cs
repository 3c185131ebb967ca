namespace Ferry.Core.Runs;

/// <summary>The run states as Azure ML names them (Canceled with one l).</summary>
public static class RunStatus
{
    public const string NotStarted = "NotStarted";
    public const string Queued = "Queued";
    public const string Preparing = "Preparing";
    public const string Running = "Running";
    public const string Finalizing = "Finalizing";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Canceled = "Canceled";
}
