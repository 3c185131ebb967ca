using System.Runtime.InteropServices;
using Ferry.Execution.Processes;

namespace Ferry.Execution.Tests.Processes;

/// <summary>Alone: sealing touches every descriptor of the process, a sandbox's start among them.</summary>
[CollectionDefinition(nameof(InheritedDescriptorsTests), DisableParallelization = true)]
public sealed class InheritedDescriptorsAlone;

[Collection(nameof(InheritedDescriptorsTests))]
public sealed class InheritedDescriptorsTests
{
    [Fact]
    public void SealNow_MakesADescriptorTheProcessHadCloseOnExec()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            var inherited = Dup((int)file.DangerousGetHandle()); // dup: a copy that is not close-on-exec, as a supervisor's descriptor is
            Assert.True(inherited > 2);
            try
            {
                Assert.Equal(0, Fcntl(inherited, 1 /* F_GETFD */, 0) & 1);
                InheritedDescriptors.SealNow();
                Assert.Equal(1, Fcntl(inherited, 1 /* F_GETFD */, 0) & 1);
            }
            finally
            {
                _ = Close(inherited);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "fcntl")]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
