using System.Runtime.InteropServices;

namespace Ferry.Execution.Processes;

/// <summary>
/// Descriptors the server was started with (a supervisor's log file, a pipe the launching shell left open) are not for
/// user code: .NET's process start passes on every descriptor that is not close-on-exec, and bubblewrap passes them into
/// the sandbox, where a directory's descriptor would reach outside it. So before the first sandbox starts, every
/// descriptor from 3 up is made close-on-exec; what .NET opens itself already is.
/// </summary>
internal static partial class InheritedDescriptors
{
    private const int SetFlags = 2; // F_SETFD
    private const int CloseOnExec = 1; // FD_CLOEXEC
    private const uint CloseRangeCloseOnExec = 4; // CLOSE_RANGE_CLOEXEC (Linux 5.11)
    private const long SysCloseRange = 436; // the same number on every 64-bit Linux architecture

    private static readonly Lazy<bool> Done = new(() =>
    {
        SealNow();
        return true;
    });

    /// <summary>Seals the descriptors once per process (the first sandbox's construction, before anything starts in one).</summary>
    public static void Seal() => _ = Done.Value;

    /// <summary>Makes every descriptor from 3 up close-on-exec, now.</summary>
    internal static void SealNow()
    {
        if (OperatingSystem.IsWindows() || CloseRange(SysCloseRange, 3, uint.MaxValue, CloseRangeCloseOnExec) == 0)
        {
            return;
        }

        // An older kernel: one by one.
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2)
            {
                _ = Fcntl(fd, SetFlags, CloseOnExec);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long CloseRange(long number, uint first, uint last, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
