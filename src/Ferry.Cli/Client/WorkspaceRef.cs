namespace Ferry.Cli.Client;

/// <summary>
/// A workspace as <c>--workspace</c> names it: its ARM id (<c>/subscriptions/S/resourceGroups/G/providers/Microsoft.MachineLearningServices/workspaces/W</c>),
/// <c>S/G/W</c>, or <c>G/W</c> in the one subscription the user can see.
/// </summary>
internal sealed record WorkspaceRef(string Subscription, string Group, string Name)
{
    private const string ArmVersion = "api-version=2019-11-01";

    /// <summary>The workspace's path on the data planes, after <c>/history/v1.0</c> and the like.</summary>
    public string Path => $"/subscriptions/{Uri.EscapeDataString(Subscription)}/resourceGroups/{Uri.EscapeDataString(Group)}/providers/Microsoft.MachineLearningServices/workspaces/{Uri.EscapeDataString(Name)}";

    public static async Task<WorkspaceRef> ResolveAsync(string text, FerryClient client, CancellationToken cancellationToken)
    {
        var parts = text.Trim('/').Split('/');
        if (parts.Length == 8 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
        {
            return new WorkspaceRef(parts[1], parts[3], parts[7]);
        }

        if (parts.Length == 3 && parts.All(p => p.Length > 0))
        {
            return new WorkspaceRef(parts[0], parts[1], parts[2]);
        }

        if (parts.Length != 2 || parts.Any(p => p.Length == 0))
        {
            throw new ClientException($"--workspace '{text}' is not a workspace: give its ARM id, SUBSCRIPTION/GROUP/WORKSPACE or GROUP/WORKSPACE.");
        }

        var subscriptions = (await client.GetAsync($"/subscriptions?{ArmVersion}", cancellationToken))?["value"]?.AsArray() ?? [];
        return subscriptions.Count == 1
            ? new WorkspaceRef(ClientCommand.Text(subscriptions[0], "subscriptionId"), parts[0], parts[1])
            : throw new ClientException($"You can see {subscriptions.Count} subscriptions: name the workspace as SUBSCRIPTION/{parts[0]}/{parts[1]}.");
    }
}
