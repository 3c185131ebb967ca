namespace Ferry.Server.Auth;

/// <summary>The resource types ARM actions name (<c>{type}/read</c>, <c>{type}/write</c>, <c>{type}/listKeys/action</c>...).</summary>
internal static class ArmActions
{
    public const string Subscriptions = "Microsoft.Resources/subscriptions";
    public const string ResourceGroups = "Microsoft.Resources/subscriptions/resourceGroups";
    public const string Workspaces = "Microsoft.MachineLearningServices/workspaces";
    public const string Locations = "Microsoft.MachineLearningServices/locations";
}
