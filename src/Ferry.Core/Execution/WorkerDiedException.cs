namespace Ferry.Core.Execution;

/// <summary>The worker died or was killed; its session cannot go on.</summary>
public sealed class WorkerDiedException(string message) : Exception(message)
{
    /// <summary>The call was waiting behind another when its worker died: it never ran, and can run elsewhere.</summary>
    public bool NotStarted { get; init; }
}
