namespace Ferry.Core.Arm;

/// <summary>ARM's operation states.</summary>
public static class ArmOperationStatus
{
    public const string InProgress = "InProgress";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}
