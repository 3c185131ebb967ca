using Ferry.Core.Status;

namespace Ferry.Execution.Sandboxing;

/// <summary>
/// Reports under <c>sandbox</c> how user code runs: contained (pass), explicitly unsandboxed by the
/// operator (warn), or not at all because the sandbox cannot be set up (fail, with the cause and fix).
/// </summary>
internal sealed class SandboxStatusContributor(Sandbox sandbox) : IStatusContributor
{
    public string Name => "sandbox";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        var state = await sandbox.GetStateAsync().WaitAsync(cancellationToken);
        var details = new Dictionary<string, object?>
        {
            ["mode"] = state.Mode.ToString(),
            ["runsAs"] = state.Account,
            ["network"] = sandbox.NetworkAllowed ? "allowed" : "off",
            ["runNetwork"] = sandbox.RunNetworkAllowed ? "allowed" : "off",
        };
        if (state.Version is not null)
        {
            details["bubblewrap"] = state.Version;
        }

        if (state.Memory is not null)
        {
            details["memory"] = state.Memory;
        }

        if (state.Problem is not null)
        {
            details["problem"] = state.Problem;
        }

        var code = !state.Usable ? StatusCode.Fail : state.Mode == SandboxMode.None ? StatusCode.Warn : StatusCode.Pass;
        return StatusNode.Leaf(code, details);
    }
}
