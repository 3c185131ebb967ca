using Ferry.Core.Files;
using Ferry.Execution.Processes;

namespace Ferry.Execution.Sandboxing;

/// <summary>The sandbox's start-up probe: whether this machine can contain user code at all.</summary>
public sealed partial class Sandbox
{
    /// <summary>Starts a real sandbox running <c>true</c>: the only proof that this kernel and this bubblewrap can do it.</summary>
    private async Task<SandboxState> ProbeAsync()
    {
        if (options.Mode == SandboxMode.None)
        {
            return new SandboxState(SandboxMode.None, true, null, null, "the server's own user (unsandboxed: Ferry:Sandbox:Mode=None)");
        }

        _ = ConfinedFiles.TryDeleteTree(ScratchRoot); // what workers of a previous run of the server left; none of this run's exists yet
        if (SeccompFilter.Build() is { } program)
        {
            Directory.CreateDirectory(ScratchRoot);
            await File.WriteAllBytesAsync(FilterPath, program);
        }

        var account = root ? $"one unprivileged account per worker (uids {options.UidBase}-{options.UidBase + (uint)options.UidCount - 1}), no capabilities" : "the server's user inside a user namespace";
        var home = Directory.CreateTempSubdirectory("ferry-sandbox-probe-").FullName;
        var version = "";
        try
        {
            try
            {
                var result = await ProcessRunner.RunAsync(options.Bubblewrap, ["--version"], TimeSpan.FromSeconds(10), CancellationToken.None);
                version = result.StandardOutput.Trim();
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return Unusable($"bubblewrap ('{options.Bubblewrap}') is not installed. Install it with 'apt-get install -y bubblewrap' (./ferry serve does so when run as root), or set Ferry:Sandbox:Mode=None to run user code unsandboxed.");
            }

            foreach (var tool in new[] { Prlimit, Setpriv })
            {
                if (!File.Exists(tool))
                {
                    return Unusable($"{tool} is missing. Install it with 'apt-get install -y util-linux'.");
                }
            }

            var uid = root ? TakeUid() : (uint?)null;
            try
            {
                var request = new SandboxRequest(_ => "/usr/bin/true", _ => [], home) { CaptureOutput = true };
                var (scratch, run, tmp) = MakeScratch(home, uid);
                try
                {
                    using var filter = OpenFilter();
                    var args = BubblewrapArguments(request, run, tmp, uid, filter);
                    var check = await ProcessRunner.RunAsync(options.Bubblewrap, [.. args, "/usr/bin/true"], TimeSpan.FromSeconds(30), CancellationToken.None);
                    if (check.ExitCode != 0)
                    {
                        return Unusable($"bubblewrap cannot set up a sandbox on this machine: {check.StandardError.Trim()} (exit code {check.ExitCode}). Enable user namespaces (sysctl user.max_user_namespaces > 0) or run the server as root; or set Ferry:Sandbox:Mode=None to run user code unsandboxed.");
                    }
                }
                finally
                {
                    _ = ConfinedFiles.TryDeleteTree(scratch);
                }
            }
            finally
            {
                ReleaseUid(uid);
            }

            return new SandboxState(SandboxMode.Bubblewrap, true, null, version, account) { Memory = OpenMemoryGroups() };
        }
        finally
        {
            _ = ConfinedFiles.TryDeleteTree(home);
        }

        string OpenMemoryGroups()
        {
            const string PerProcess = "per process only (Ferry:Workers:MemoryLimitMb, RLIMIT_AS): ";
            if (!root)
            {
                return PerProcess + "the server does not run as root, so it cannot make memory cgroups";
            }

            memoryGroups = MemoryGroups.Open(options, out var reason);
            if (memoryGroups is null)
            {
                LogNoMemoryGroups(logger, reason);
                return PerProcess + reason;
            }

            return memoryGroups.Describe();
        }

        SandboxState Unusable(string problem)
        {
            LogUnavailable(logger, problem);
            return new SandboxState(SandboxMode.Bubblewrap, false, problem, version, account);
        }
    }
}
