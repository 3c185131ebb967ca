using System.Globalization;

namespace Ferry.Execution.Sandboxing;

/// <summary>
/// Memory bounds on whole sandboxes, beside each process's own (RLIMIT_AS): code that forks gets a new
/// address-space limit per child, so without these one sandbox's processes together could take the
/// machine's memory and leave the kernel's OOM killer to choose among everything, the server included.
/// Each sandbox gets a memory cgroup of its own (<see cref="SandboxOptions.SandboxMemoryMb"/>), under one for
/// the user its code acts for (<see cref="SandboxOptions.UserMemoryPercent"/>), under one for every sandbox of
/// this server (<see cref="SandboxOptions.AllSandboxesMemoryPercent"/> of the memory the server may use); the
/// server itself stays outside them all. Past a bound, the kernel reclaims the group's caches and then kills a
/// process inside that group, never one outside: a user who fills their own bound with many small processes
/// loses one of them, not another user's worker holding a large model.
/// Needs a writable memory controller: cgroup v1's (the server running as root), or a cgroup v2 subtree
/// delegated to the server. Without one, sandboxes keep the per-process limits and <c>/status</c> says so.
/// </summary>
internal sealed class MemoryGroups
{
    private const string Prefix = "ferry-";
    private const long MaxTcpBytes = 256L << 20; // a sandbox's TCP buffers (its loopback, or the network when allowed); 1 GiB for all of them
    private const long MaxAllTcpBytes = 1L << 30;
    private const string Unowned = "unowned"; // the warm pool's workers, until a user's session takes one
    private readonly string root;
    private readonly bool v2;
    private readonly Lock users = new(); // a user's group is made, and removed once empty, under it

    private MemoryGroups(string root, bool v2, long sandboxBytes, long userBytes, long allBytes)
    {
        this.root = root;
        this.v2 = v2;
        SandboxBytes = sandboxBytes;
        UserBytes = userBytes;
        AllBytes = allBytes;
    }

    /// <summary>The bound of one sandbox's processes together.</summary>
    public long SandboxBytes { get; }

    /// <summary>The bound of one user's sandboxes together.</summary>
    public long UserBytes { get; }

    /// <summary>The bound of every sandbox of this server together.</summary>
    public long AllBytes { get; }

    /// <summary>What bounds a sandbox's memory, for <c>/status</c>.</summary>
    public string Describe() =>
        $"a memory cgroup per sandbox ({SandboxBytes >> 20} MiB for its processes together; {UserBytes >> 20} MiB for one user's sandboxes; {AllBytes >> 20} MiB for all sandboxes), cgroup {(v2 ? "v2" : "v1")}";

    /// <summary>
    /// This server's group of sandboxes, made fresh under the server's own memory cgroup (groups left by
    /// servers that are gone are removed first), or null with the reason when this machine gives none.
    /// </summary>
    public static MemoryGroups? Open(SandboxOptions options, out string reason)
    {
        reason = "";
        if (options.SandboxMemoryMb <= 0)
        {
            reason = "turned off (Ferry:Sandbox:SandboxMemoryMb=0)";
            return null;
        }

        var (parent, v2) = FindOwnGroup();
        if (parent is null)
        {
            reason = "this machine has no memory cgroup controller the server can see";
            return null;
        }

        RemoveLeftovers(parent);
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes; // the machine's memory, or the server's own cgroup's bound
        var all = available / 100 * Math.Clamp(options.AllSandboxesMemoryPercent, 1, 100);
        var user = all / 100 * Math.Clamp(options.UserMemoryPercent, 1, 100);
        var sandbox = Math.Min((long)options.SandboxMemoryMb << 20, user);
        var mine = Path.Combine(parent, Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            if (v2)
            {
                // Children of a v2 group get a memory controller only when the group hands it down; the
                // group must then hold no process itself, which a delegated subtree arranges.
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+memory");
            }

            Directory.CreateDirectory(mine);
            if (v2)
            {
                File.WriteAllText(Path.Combine(mine, "cgroup.subtree_control"), "+memory");
            }

            SetLimit(mine, v2, all, MaxAllTcpBytes);
            return new MemoryGroups(mine, v2, sandbox, user, all);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryRemove(mine);
            reason = $"the memory cgroup {parent} cannot be used ({ex.Message.TrimEnd('.')}); run the server as root or delegate a cgroup v2 subtree with the memory controller to it";
            return null;
        }
    }

    /// <summary>
    /// A new group for one sandbox, bounded by <see cref="SandboxBytes"/>, in the group of <paramref name="owner"/>
    /// (null: the warm pool's, until <see cref="Move"/>); returns the group's directory. A process joins it by
    /// writing its own pid to <c>cgroup.procs</c> in it, before it starts anything.
    /// </summary>
    public string Create(string name, string? owner)
    {
        lock (users)
        {
            var user = UserGroup(owner);
            var group = Path.Combine(user, name);
            Directory.CreateDirectory(group);
            try
            {
                SetLimit(group, v2, SandboxBytes, MaxTcpBytes);
            }
            catch
            {
                TryRemove(group);
                throw;
            }

            return group;
        }
    }

    /// <summary>
    /// Moves a sandbox's processes to a group of the same name in <paramref name="owner"/>'s group (a warm worker a
    /// user's session took), and removes the one they leave; returns the new group's directory. What they hold
    /// already stays counted where it was charged (cgroup v1): from here on, what they take counts for the owner.
    /// </summary>
    public string Move(string group, string owner)
    {
        var moved = Create(Path.GetFileName(group), owner);
        for (var pass = 0; pass < 10; pass++)
        {
            var pids = File.ReadAllLines(Path.Combine(group, "cgroup.procs"));
            if (pids.Length == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                try
                {
                    File.WriteAllText(Path.Combine(moved, "cgroup.procs"), pid);
                }
                catch (IOException)
                {
                    // ended meanwhile
                }
            }
        }

        _ = RemoveAsync(group);
        return moved;
    }

    /// <summary>Removes a sandbox's group once its processes are gone (the kernel refuses while one lives), and its user's when it was the last.</summary>
    public async Task RemoveAsync(string group)
    {
        for (var attempt = 0; attempt < 20 && Directory.Exists(group); attempt++)
        {
            if (TryRemove(group))
            {
                break;
            }

            await Task.Delay(50); // a killed process leaves its group a moment after its parent sees it end
        }

        lock (users)
        {
            TryRemove(Path.GetDirectoryName(group)!); // refused while another of the user's sandboxes is in it
        }
    }

    /// <summary>Under the lock: the group of a user's sandboxes, made with its bound when it is not there.</summary>
    private string UserGroup(string? owner)
    {
        var name = owner is null ? Unowned : "user-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(owner)))[..24];
        var group = Path.Combine(root, name);
        if (!Directory.Exists(group))
        {
            Directory.CreateDirectory(group);
            SetLimit(group, v2, UserBytes, MaxTcpBytes * 2);
            if (v2)
            {
                File.WriteAllText(Path.Combine(group, "cgroup.subtree_control"), "+memory");
            }
        }

        return group;
    }

    /// <summary>Removes this server's group, when no sandbox's group is left in it (another server in this process may still use it).</summary>
    public void TryRemoveAll() => TryRemove(root);

    /// <summary>
    /// Bounds a group's memory. On v1, TCP buffers are counted apart from it, and only once a group has a TCP
    /// bound of its own: without one, a sandbox's loopback connections held 1,145 MB past a 1,024 MiB bound.
    /// (v1 never counts UDP buffers: the kernel's udp_mem bounds them, and the sandbox's OOM score, see
    /// <see cref="Sandbox"/>, makes them cost the sandbox first. v2 counts sockets in memory.max.)
    /// </summary>
    private static void SetLimit(string group, bool v2, long bytes, long tcpBytes)
    {
        File.WriteAllText(Path.Combine(group, v2 ? "memory.max" : "memory.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));
        var tcp = Path.Combine(group, "memory.kmem.tcp.limit_in_bytes");
        if (!v2 && File.Exists(tcp))
        {
            try
            {
                File.WriteAllText(tcp, Math.Min(bytes, tcpBytes).ToString(CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // a kernel that has dropped v1's TCP accounting: the memory bound stands alone
            }
        }
    }

    /// <summary>The server's own memory cgroup directory, from <c>/proc/self/cgroup</c>: v1's memory hierarchy, else v2's unified one.</summary>
    private static (string? Directory, bool V2) FindOwnGroup()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/cgroup");
        }
        catch (IOException)
        {
            return (null, false);
        }

        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                var directory = "/sys/fs/cgroup/memory" + parts[2];
                return File.Exists(Path.Combine(directory, "memory.limit_in_bytes")) ? (directory, false) : (null, false);
            }
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                var directory = "/sys/fs/cgroup" + line[3..];
                var controllers = Path.Combine(directory, "cgroup.controllers");
                return File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("memory") ? (directory, true) : (null, true);
            }
        }

        return (null, false);
    }

    /// <summary>The groups of servers that are gone (their sandboxes died with them: the groups are empty).</summary>
    private static void RemoveLeftovers(string parent)
    {
        try
        {
            foreach (var group in Directory.EnumerateDirectories(parent, Prefix + "*"))
            {
                if (int.TryParse(Path.GetFileName(group)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
                {
                    foreach (var user in Directory.EnumerateDirectories(group))
                    {
                        foreach (var sandbox in Directory.EnumerateDirectories(user))
                        {
                            TryRemove(sandbox);
                        }

                        TryRemove(user);
                    }

                    TryRemove(group);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // nothing to clear, or nothing this server may clear
        }
    }

    /// <summary>rmdir: a cgroup's files are the kernel's, and go with the directory.</summary>
    private static bool TryRemove(string group)
    {
        try
        {
            Directory.Delete(group);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(group);
        }
    }
}
