using System.Runtime.InteropServices;

namespace Ferry.Execution.Workers;

/// <summary>POSIX signals for worker processes; .NET's Process offers only SIGKILL.</summary>
internal static partial class Signals
{
    private const int SigInt = 2;

    /// <summary>Asks the interpreter to interrupt what it runs (Python raises KeyboardInterrupt).</summary>
    public static bool Interrupt(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SigInt) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
