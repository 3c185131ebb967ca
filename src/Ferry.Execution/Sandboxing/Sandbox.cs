using System.Diagnostics;
using System.Globalization;
using Ferry.Core.Errors;
using Ferry.Core.Files;
using Ferry.Execution.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ferry.Execution.Sandboxing;

/// <summary>
/// The one place user code is started. Every worker (session, web-service pool, online deployment,
/// experiment run, any runtime) runs through <see cref="StartAsync"/>: with bubblewrap, in its own
/// mount, PID, IPC, UTS and (unless allowed) network namespaces, seeing <c>/usr</c> and <c>/etc</c>
/// read-only, its working directory at <see cref="VisibleHome"/>, a private <c>/tmp</c>, and the
/// directory of its channel to the server at <see cref="VisibleRun"/>; never the data directory, the
/// keys, the database, the blob store or anyone else's files. When the server runs as root, the
/// worker runs as an unprivileged account of its own with no capabilities; otherwise as the server's
/// user inside a user namespace. Limits on processes, open files and file size apply to each worker;
/// its environment is an allow-list. When the worker's main process ends, or the server does, every
/// process it started dies with it (a PID namespace torn down by the kernel).
/// </summary>
public sealed partial class Sandbox : IDisposable
{
    public const string VisibleHome = "/work";
    public const string VisibleRun = "/run/ferry";
    public const string VisibleRuntimes = "/opt/ferry";

    /// <summary>The worker scripts of every runtime, on the host.</summary>
    public static readonly string RuntimesDirectory = Path.Combine(AppContext.BaseDirectory, "Runtimes");

    private const string Prlimit = "/usr/bin/prlimit";
    private const string Setpriv = "/usr/bin/setpriv";

    // What a worker may inherit from the server's environment: locale and numeric-library switches
    // that make its results correct on this processor. Never FERRY_*, tokens or keys.
    private static readonly string[] InheritedVariables = ["LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"];

    private readonly SandboxOptions options;
    private readonly ILogger<Sandbox> logger;
    private readonly Lazy<Task<SandboxState>> probe;
    private readonly HashSet<uint> uidsInUse = [];
    private readonly bool root = Environment.IsPrivilegedProcess;
    private uint nextUid;
    private MemoryGroups? memoryGroups; // set by the probe, which every start awaits

    public Sandbox(IOptions<SandboxOptions> options, ILogger<Sandbox> logger)
    {
        this.options = options.Value;
        this.logger = logger;
        InheritedDescriptors.Seal(); // before anything starts in a sandbox: what the server inherited stays with it
        probe = new(ProbeAsync);
        if (this.options.Mode == SandboxMode.None)
        {
            LogUnsandboxed(logger);
        }
    }

    private string ScratchRoot => Path.GetFullPath(string.IsNullOrEmpty(options.Directory) ? Path.Combine(Path.GetTempPath(), "ferry-sandbox") : options.Directory);

    /// <summary>Whether sessions, web services and deployments may reach the network.</summary>
    public bool NetworkAllowed => options.Network;

    /// <summary>Whether runs may reach the network.</summary>
    public bool RunNetworkAllowed => options.RunNetwork;

    /// <summary>CPU seconds a run may use (0: no limit).</summary>
    public int RunCpuSeconds => options.Mode == SandboxMode.Bubblewrap ? options.RunCpuSeconds : 0;

    /// <summary>How a process started in <paramref name="workingDirectory"/> sees that directory.</summary>
    public string HomeFor(string workingDirectory) => options.Mode == SandboxMode.Bubblewrap ? VisibleHome : workingDirectory;

    /// <summary>Whether user code can run, and how; probed once by starting a real sandbox.</summary>
    public Task<SandboxState> GetStateAsync() => probe.Value;

    /// <summary>Throws the 503 every code-running operation answers while the sandbox cannot be set up.</summary>
    public async Task EnsureAvailableAsync()
    {
        var state = await GetStateAsync();
        if (!state.Usable)
        {
            throw new FerryException(FerryErrorKind.Unavailable, $"User code cannot run on this server: {state.Problem}", TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>
    /// Starts <paramref name="request"/>'s program in a sandbox. The working directory is handed to the
    /// worker's account first (it is new, or holds only what the server put there).
    /// </summary>
    public async Task<SandboxedProcess> StartAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        await EnsureAvailableAsync();
        cancellationToken.ThrowIfCancellationRequested();
        var sandboxed = options.Mode == SandboxMode.Bubblewrap;
        var uid = sandboxed && root ? TakeUid() : (uint?)null;
        var scratch = "";
        string? group = null;
        try
        {
            (scratch, var run, var tmp) = MakeScratch(request.WorkingDirectory, uid);
            var groups = sandboxed ? memoryGroups : null;
            group = groups is null ? null : JoinGroup(groups, Path.GetFileName(scratch), request.Owner);

            var info = new ProcessStartInfo(options.Bubblewrap)
            {
                WorkingDirectory = sandboxed ? scratch : request.WorkingDirectory,
                RedirectStandardInput = true,
                // A pipe even when nobody reads it: no descriptor of the server's terminal reaches user
                // code (TIOCSTI could type into it), and /dev/tty does not exist in the sandbox.
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment.Clear();
            foreach (var name in InheritedVariables)
            {
                if (Environment.GetEnvironmentVariable(name) is { } value)
                {
                    info.Environment[name] = value;
                }
            }

            var layout = sandboxed
                ? new SandboxLayout(VisibleHome, VisibleRun, VisibleRuntimes, run)
                : new SandboxLayout(request.WorkingDirectory, run, RuntimesDirectory, run);
            info.Environment["HOME"] = layout.Home;
            info.Environment["TMPDIR"] = sandboxed ? "/tmp" : tmp;
            info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
            info.Environment["LANG"] = info.Environment.TryGetValue("LANG", out var lang) && lang is not null ? lang : "C.UTF-8";
            info.Environment["USER"] = info.Environment["LOGNAME"] = "ferry";
            foreach (var (name, value) in request.Environment)
            {
                info.Environment[name] = value;
            }

            var program = request.Program(layout);
            var arguments = request.Arguments(layout);
            using var filter = sandboxed ? OpenFilter() : null;
            if (group is not null)
            {
                // The first process joins the sandbox's memory group and only then becomes bubblewrap: every
                // process of the sandbox starts inside it. A join that fails starts nothing. It also makes
                // the sandbox the first choice of the kernel's OOM killer should the machine itself run out
                // (memory no group counts: UDP buffers, say); its processes cannot lower that again.
                info.FileName = "/bin/sh";
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add("echo $$ > \"$0\" && echo 1000 > /proc/self/oom_score_adj && exec \"$@\"");
                info.ArgumentList.Add(Path.Combine(group, "cgroup.procs"));
                info.ArgumentList.Add(options.Bubblewrap);
            }

            if (sandboxed)
            {
                foreach (var argument in BubblewrapArguments(request, run, tmp, uid, filter))
                {
                    info.ArgumentList.Add(argument);
                }

                info.ArgumentList.Add(program);
            }
            else
            {
                info.FileName = program;
            }

            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = info };
            var sandboxedProcess = new SandboxedProcess(process, layout, scratch, memoryGroup => Release(uid, memoryGroup)) { MemoryGroup = group };
            request.BeforeStart?.Invoke(process, layout);
            await ProcessLauncher.StartAsync(process);
            process.StandardInput.Close();
            if (!request.CaptureOutput)
            {
                _ = WorkerProcess.DrainAsync(process.StandardOutput.BaseStream); // nobody reads it: dropped as it comes, never held
            }

            return sandboxedProcess;
        }
        catch
        {
            Release(uid, group);
            if (scratch.Length > 0)
            {
                _ = ConfinedFiles.TryDeleteTree(scratch);
            }

            throw;
        }
    }

    private List<string> BubblewrapArguments(SandboxRequest request, string run, string tmp, uint? uid, Microsoft.Win32.SafeHandles.SafeFileHandle? filter)
    {
        // No --new-session: a session of its own puts each worker in a scheduler autogroup of its own,
        // which slows every call that crosses between server and worker; without a terminal
        // descriptor or /dev/tty (see StartAsync and /dev below) there is no terminal to abuse.
        var args = new List<string> { "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try" };
        if (filter is not null)
        {
            args.AddRange(["--seccomp", filter.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)]);
        }

        if (!request.Network)
        {
            args.Add("--unshare-net");
        }

        if (uid is null)
        {
            args.AddRange(["--unshare-user", "--disable-userns"]);
        }

        var visible = new List<string> { "/usr", "/etc" };
        args.AddRange(["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]);
        foreach (var top in new[] { "bin", "sbin", "lib", "lib32", "lib64", "libx32" })
        {
            var path = "/" + top;
            var link = new FileInfo(path).LinkTarget;
            if (link is not null)
            {
                args.AddRange(["--symlink", link, path]); // merged /usr: /bin -> usr/bin
            }
            else if (Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
                visible.Add(path);
            }
        }

        foreach (var path in options.ReadOnlyPaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Path.GetFullPath(p)).Where(Path.Exists))
        {
            args.AddRange(["--ro-bind", path, path]);
            visible.Add(path);
        }

        // bubblewrap makes missing parents owner-only; the worker's account must pass through them.
        args.AddRange(["--perms", "0755", "--dir", "/opt", "--perms", "0755", "--dir", "/run"]);
        args.AddRange(["--ro-bind", RuntimesDirectory, VisibleRuntimes]);
        visible.Add(RuntimesDirectory);

        // The data directory, this sandbox's own scratch root and anything hidden must not show
        // through a path the worker sees (a data directory under /usr or /etc, say).
        foreach (var hidden in options.HiddenPaths.Append(ScratchRoot).Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Path.GetFullPath(p)))
        {
            if (visible.Any(v => IsUnder(hidden, v)) && Directory.Exists(hidden))
            {
                args.AddRange(["--tmpfs", hidden]);
            }
        }

        // A /dev of the harmless devices only: no terminals, no pseudo-terminal multiplexer whose
        // host-wide limit one worker could use up.
        args.AddRange(["--proc", "/proc", "--perms", "0755", "--dir", "/dev"]);
        foreach (var device in new[] { "null", "zero", "full", "random", "urandom" })
        {
            args.AddRange(["--dev-bind", "/dev/" + device, "/dev/" + device]);
        }

        args.AddRange(["--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin", "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2", "/dev/stderr"]);
        args.AddRange(["--size", (options.SharedMemoryMb * 1024L * 1024L).ToString(CultureInfo.InvariantCulture), "--perms", "1777", "--tmpfs", "/dev/shm"]);
        args.AddRange(["--bind", tmp, "/tmp", "--bind", run, VisibleRun, "--bind", request.WorkingDirectory, VisibleHome, "--chdir", VisibleHome]);
        args.AddRange(["--hostname", "ferry-worker", "--", Prlimit]);
        args.Add($"--nproc={options.MaxProcesses}");
        args.Add($"--nofile={options.MaxOpenFiles}");
        args.Add($"--fsize={options.MaxFileSizeMb * 1024L * 1024L}");
        if (request.MemoryLimitMb > 0)
        {
            args.Add($"--as={request.MemoryLimitMb * 1024L * 1024L}");
        }

        if (request.CpuSeconds > 0)
        {
            args.Add($"--cpu={request.CpuSeconds}:{request.CpuSeconds + 5}"); // SIGXCPU at the limit, SIGKILL 5 s later
        }

        if (uid is { } account)
        {
            var id = account.ToString(CultureInfo.InvariantCulture);
            args.AddRange([Setpriv, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--"]);
        }

        return args;
    }

    /// <summary>
    /// A worker's scratch (its run directory and its /tmp), and with its working directory handed to
    /// its account when it has one of its own (both are new, or hold only what the server put there).
    /// </summary>
    private (string Scratch, string Run, string Tmp) MakeScratch(string workingDirectory, uint? uid)
    {
        var scratch = Directory.CreateDirectory(Path.Combine(ScratchRoot, Guid.NewGuid().ToString("N"))).FullName;
        var run = Directory.CreateDirectory(Path.Combine(scratch, "run")).FullName;
        var tmp = Directory.CreateDirectory(Path.Combine(scratch, "tmp")).FullName;
        if (uid is { } owner)
        {
            ConfinedFiles.GiveTree(workingDirectory, owner, owner);
            ConfinedFiles.GiveTree(scratch, owner, owner);
        }

        return (scratch, run, tmp);
    }

    private string FilterPath => Path.Combine(ScratchRoot, "seccomp.bpf");

    /// <summary>The seccomp program, open on a descriptor the child inherits (bubblewrap reads it by number).</summary>
    private Microsoft.Win32.SafeHandles.SafeFileHandle? OpenFilter()
    {
        if (!File.Exists(FilterPath))
        {
            return null;
        }

        var handle = File.OpenHandle(FilterPath);
        _ = Fcntl((int)handle.DangerousGetHandle(), 2 /* F_SETFD */, 0); // not close-on-exec
        return handle;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    private static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(Path.TrimEndingDirectorySeparator(directory) + "/", StringComparison.Ordinal);

    private uint TakeUid()
    {
        lock (uidsInUse)
        {
            for (var i = 0; i < options.UidCount; i++)
            {
                var candidate = options.UidBase + (uint)((nextUid + i) % (uint)options.UidCount);
                if (uidsInUse.Add(candidate))
                {
                    nextUid = (uint)((nextUid + i + 1) % (uint)options.UidCount);
                    return candidate;
                }
            }
        }

        throw new FerryException(FerryErrorKind.Unavailable, "Every worker account is in use; try again when a session or service ends.", TimeSpan.FromSeconds(5));
    }

    /// <summary>A new sandbox's memory group. When none can be made (the controller gone, the kernel refusing), the start is a 503: no sandbox starts unbounded.</summary>
    private static string JoinGroup(MemoryGroups groups, string name, string? owner)
    {
        try
        {
            return groups.Create(name, owner);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FerryException(FerryErrorKind.Unavailable, $"The sandbox's memory group cannot be made: {ex.Message}", TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>
    /// A sandbox started for nobody yet (the warm pool's) now runs <paramref name="owner"/>'s code: what its
    /// processes take from here on counts against that user's bound. False when it cannot be moved (the
    /// sandbox is then not to be used for them).
    /// </summary>
    public bool Adopt(SandboxedProcess sandboxed, string owner)
    {
        if (memoryGroups is not { } groups || sandboxed.MemoryGroup is not { } group)
        {
            return true;
        }

        try
        {
            sandboxed.MemoryGroup = groups.Move(group, owner);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes this server's group of memory groups if nothing is left in it (a later start removes it otherwise).</summary>
    public void Dispose() => memoryGroups?.TryRemoveAll();

    /// <summary>What a sandbox held: its account, and its memory group once its processes are gone.</summary>
    private void Release(uint? uid, string? group)
    {
        if (group is not null && memoryGroups is { } groups)
        {
            _ = groups.RemoveAsync(group);
        }

        ReleaseUid(uid);
    }

    private void ReleaseUid(uint? uid)
    {
        if (uid is { } taken)
        {
            lock (uidsInUse)
            {
                uidsInUse.Remove(taken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ferry:Sandbox:Mode is None: user code runs unsandboxed, as the server's own user, and can read the server's data and keys")]
    private static partial void LogUnsandboxed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandboxes have no memory cgroups, so only each process's memory is bounded: {Reason}")]
    private static partial void LogNoMemoryGroups(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The sandbox is unavailable, so no user code can run: {Problem}")]
    private static partial void LogUnavailable(ILogger logger, string problem);
}
